/**
 * The active detection policy compiled into glob matchers: for a user on a host, the first
 * matching rule's events (or the defaults) plus the always-reported events, and its
 * options laid over the defaults and the built-in options, field by field.
 */
import {
  compileGlobs,
  type GlobList,
  ALWAYS_REPORTED_EVENTS,
  BUILT_IN_DETECTION_OPTIONS,
  BUILT_IN_DETECTION_POLICY,
  type DetectionOptions,
  type DetectionPolicyDocument,
  EVENT_TYPE_NAMES,
  type EventType,
  type PolicyDetectionEvaluateReply,
  type PolicyDetectionEvaluateRequest,
  type ResolvedDetectionOptions,
} from '@sessionrec/contracts';

export const DETECTION_DEFAULT_RULE_ID = 'default';
export const DETECTION_BUILT_IN_RULE_ID = 'built-in-default';

interface Outcome {
  readonly ruleId: string;
  readonly events: EventType[];
  readonly options: ResolvedDetectionOptions;
}

interface CompiledRule {
  readonly outcome: Outcome;
  readonly users?: GlobList;
  readonly groups?: GlobList;
  readonly hosts?: GlobList;
}

/** In EVENT_TYPES order, the always-reported ones included, each once. */
function eventList(chosen: readonly EventType[]): EventType[] {
  const wanted = new Set<EventType>([...chosen, ...ALWAYS_REPORTED_EVENTS]);
  return EVENT_TYPE_NAMES.filter((t) => wanted.has(t));
}

function resolve(
  base: ResolvedDetectionOptions,
  over: DetectionOptions | undefined,
): ResolvedDetectionOptions {
  return {
    removableMountPoints: over?.removableMountPoints ?? base.removableMountPoints,
    networkMountPoints: over?.networkMountPoints ?? base.networkMountPoints,
    idleThresholdSeconds: over?.idleThresholdSeconds ?? base.idleThresholdSeconds,
    captureCommandLines: over?.captureCommandLines ?? base.captureCommandLines,
    captureWindowTitles: over?.captureWindowTitles ?? base.captureWindowTitles,
  };
}

export class CompiledDetectionPolicy {
  private constructor(
    readonly version: number,
    private readonly rules: readonly CompiledRule[],
    private readonly fallback: Outcome,
  ) {}

  static compile(
    document: DetectionPolicyDocument,
    version: number,
    fallbackRuleId = DETECTION_DEFAULT_RULE_ID,
  ): CompiledDetectionPolicy {
    const defaults = resolve(BUILT_IN_DETECTION_OPTIONS, document.defaults.options);
    const defaultEvents = document.defaults.events;
    const rules = document.rules.map((r): CompiledRule => ({
      outcome: {
        ruleId: r.id,
        events: eventList(r.events ?? defaultEvents),
        options: resolve(defaults, r.options),
      },
      ...(r.match.users ? { users: compileGlobs(r.match.users) } : {}),
      ...(r.match.groups ? { groups: compileGlobs(r.match.groups) } : {}),
      ...(r.match.hosts ? { hosts: compileGlobs(r.match.hosts) } : {}),
    }));
    return new CompiledDetectionPolicy(version, rules, {
      ruleId: fallbackRuleId,
      events: eventList(defaultEvents),
      options: defaults,
    });
  }

  /** Before any policy exists: every event type, the built-in options, version 0. */
  static builtInDefault(): CompiledDetectionPolicy {
    return CompiledDetectionPolicy.compile(
      BUILT_IN_DETECTION_POLICY,
      0,
      DETECTION_BUILT_IN_RULE_ID,
    );
  }

  /** First matching rule wins (users, groups, hosts: AND across fields, OR inside). */
  evaluate(q: PolicyDetectionEvaluateRequest): PolicyDetectionEvaluateReply {
    const rule = this.rules.find(
      (r) =>
        (!r.users || r.users.test(q.user)) &&
        (!r.groups || q.groups.some((g) => r.groups?.test(g))) &&
        (!r.hosts || r.hosts.test(q.host)),
    );
    const o = rule?.outcome ?? this.fallback;
    return {
      v: 1,
      policyVersion: this.version,
      ruleId: o.ruleId,
      events: [...o.events],
      options: {
        ...o.options,
        removableMountPoints: [...o.options.removableMountPoints],
        networkMountPoints: [...o.options.networkMountPoints],
      },
    };
  }
}
