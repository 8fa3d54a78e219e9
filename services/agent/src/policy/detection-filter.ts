/**
 * What the host reports, per the detection policy in force for the session: only the
 * event types the policy lists (plus those the platform always needs), without command
 * lines or window titles when the policy says not to capture them. Knowing no policy
 * (none could be asked yet), everything is reported.
 */
import {
  ALWAYS_REPORTED_EVENTS,
  type EventType,
  type PolicyDetectionEvaluateReply,
} from '@sessionrec/contracts';

type Attributes = Record<string, string | number | boolean | null>;

export class DetectionFilter {
  private readonly types: ReadonlySet<EventType> | undefined;

  constructor(readonly settings?: PolicyDetectionEvaluateReply) {
    this.types = settings ? new Set([...settings.events, ...ALWAYS_REPORTED_EVENTS]) : undefined;
  }

  reports(type: EventType): boolean {
    return this.types === undefined || this.types.has(type);
  }

  /** The attributes as reported: captured text the policy excludes is left out. */
  redact(attributes: Attributes): Attributes {
    const options = this.settings?.options;
    if (!options) return attributes;
    const out = { ...attributes };
    if (!options.captureCommandLines) delete out.commandLine;
    if (!options.captureWindowTitles) delete out.windowTitle;
    return out;
  }
}
