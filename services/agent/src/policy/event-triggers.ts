/**
 * Does an event fire a record-on-event rule? Matched on the host, where the event is
 * seen: the event type must be named by a trigger and every attribute glob the trigger
 * gives must match the event's attribute (as text; a missing attribute never matches).
 */
import {
  compileGlobs,
  type EventTriggers,
  type EventType,
  type GlobList,
} from '@sessionrec/contracts';

export interface TriggerCandidate {
  readonly type: EventType;
  readonly attributes: Readonly<Record<string, unknown>>;
}

type Compiled = { type: EventType; attributes: [string, GlobList][] }[];

export class TriggerMatcher {
  private readonly triggers: Compiled;

  constructor(readonly settings: EventTriggers) {
    this.triggers = settings.events.map((t) => ({
      type: t.eventType,
      attributes: Object.entries(t.attributes ?? {}).map(([name, glob]) => [
        name,
        compileGlobs([glob]),
      ]),
    }));
  }

  get preEventMs(): number {
    return this.settings.preEventMinutes * 60_000;
  }

  matches(event: TriggerCandidate): boolean {
    return this.triggers.some(
      (t) =>
        t.type === event.type &&
        t.attributes.every(([name, re]) => {
          const value = event.attributes[name];
          return (
            (typeof value === 'string' ||
              typeof value === 'number' ||
              typeof value === 'boolean') &&
            re.test(String(value))
          );
        }),
    );
  }
}
