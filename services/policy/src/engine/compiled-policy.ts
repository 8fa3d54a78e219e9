/**
 * The active recording policy compiled once into matchers (globs, BlockLists, time
 * windows) so that each evaluation is a few comparisons, answered from memory.
 */
import { BlockList, isIP } from 'node:net';
import {
  compileGlobs,
  type GlobList,
  parseCidr,
  type PolicyEvaluateReply,
  type PolicyEvaluateRequest,
  type RecordingPolicyDocument,
  type CaptureSettings,
  type DefaultRule,
  type EventTriggers,
  type RecordingDecision,
} from '@sessionrec/contracts';

import { type CompiledWindow, compileWindow, inWindow, localTime } from './time-window';

/** Shown when a rule asks for a notice without its own text. */
export const DEFAULT_NOTICE_TEXT = 'This session is recorded.';
/** Used when no policy has been published yet: nothing is recorded. */
export const BUILT_IN_DEFAULT_RULE_ID = 'built-in-default';
export const DEFAULT_RULE_ID = 'default';

interface Outcome {
  readonly ruleId: string;
  readonly decision: RecordingDecision;
  readonly notice?: string;
  readonly capture?: CaptureSettings;
  readonly triggers?: EventTriggers;
  readonly retentionClass?: string;
}

interface CompiledRule {
  readonly outcome: Outcome;
  readonly users?: GlobList;
  readonly groups?: GlobList;
  readonly hosts?: GlobList;
  readonly applications?: GlobList;
  readonly networks?: BlockList;
  readonly windows?: readonly CompiledWindow[];
}

function outcomeOf(ruleId: string, r: DefaultRule): Outcome {
  return {
    ruleId,
    decision: r.action,
    ...(r.notice?.show ? { notice: r.notice.text ?? DEFAULT_NOTICE_TEXT } : {}),
    ...(r.capture ? { capture: r.capture } : {}),
    ...(r.triggers ? { triggers: r.triggers } : {}),
    ...(r.retentionClass ? { retentionClass: r.retentionClass } : {}),
  };
}

function blockList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const c of cidrs) {
    const parsed = parseCidr(c);
    if (parsed) list.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return list;
}

function matches(rule: CompiledRule, q: PolicyEvaluateRequest, at: Date): boolean {
  if (rule.users && !rule.users.test(q.user)) return false;
  if (rule.groups && !q.groups.some((g) => rule.groups?.test(g))) return false;
  if (rule.hosts && !rule.hosts.test(q.host)) return false;
  if (rule.applications && (q.application === undefined || !rule.applications.test(q.application)))
    return false;
  if (rule.networks) {
    const family = q.clientAddress === undefined ? 0 : isIP(q.clientAddress);
    if (family === 0 || q.clientAddress === undefined) return false;
    if (!rule.networks.check(q.clientAddress, family === 4 ? 'ipv4' : 'ipv6')) return false;
  }
  if (rule.windows && !rule.windows.some((w) => inWindow(w, localTime(at, w.timeZone))))
    return false;
  return true;
}

export class CompiledPolicy {
  private constructor(
    readonly version: number,
    private readonly rules: readonly CompiledRule[],
    private readonly fallback: Outcome,
  ) {}

  static compile(document: RecordingPolicyDocument, version: number): CompiledPolicy {
    const rules = document.rules.map((r): CompiledRule => {
      const m = r.match;
      return {
        outcome: outcomeOf(r.id, r),
        ...(m.users ? { users: compileGlobs(m.users) } : {}),
        ...(m.groups ? { groups: compileGlobs(m.groups) } : {}),
        ...(m.hosts ? { hosts: compileGlobs(m.hosts) } : {}),
        ...(m.applications ? { applications: compileGlobs(m.applications) } : {}),
        ...(m.clientNetworks ? { networks: blockList(m.clientNetworks) } : {}),
        ...(m.timeWindows ? { windows: m.timeWindows.map(compileWindow) } : {}),
      };
    });
    return new CompiledPolicy(version, rules, outcomeOf(DEFAULT_RULE_ID, document.defaultAction));
  }

  /** Before any policy exists: do-not-record, version 0. */
  static builtInDefault(): CompiledPolicy {
    return new CompiledPolicy(0, [], {
      ruleId: BUILT_IN_DEFAULT_RULE_ID,
      decision: 'do-not-record',
    });
  }

  /** First matching rule wins; otherwise the document's explicit default. */
  evaluate(q: PolicyEvaluateRequest): PolicyEvaluateReply {
    const at = new Date(q.at);
    const rule = this.rules.find((r) => matches(r, q, at));
    const o = rule?.outcome ?? this.fallback;
    return { v: 1, policyVersion: this.version, ...o };
  }
}
