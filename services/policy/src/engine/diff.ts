/** A short summary of what a new policy version changed, for the audit trail. */
import type { RecordingPolicyDocument } from '@sessionrec/contracts';

export interface PolicyDiff {
  readonly added: string[];
  readonly removed: string[];
  readonly changed: string[];
  readonly reordered: boolean;
  readonly defaultChanged: boolean;
}

function rulesById(doc: unknown): Map<string, string> {
  const rules = (doc as { rules?: unknown } | null)?.rules;
  const map = new Map<string, string>();
  if (Array.isArray(rules)) {
    for (const r of rules as { id?: unknown }[]) {
      if (typeof r.id === 'string') map.set(r.id, JSON.stringify(r));
    }
  }
  return map;
}

export function diffPolicies(previous: unknown, next: RecordingPolicyDocument): PolicyDiff {
  const before = rulesById(previous);
  const after = rulesById(next);
  const added = [...after.keys()].filter((id) => !before.has(id));
  const removed = [...before.keys()].filter((id) => !after.has(id));
  const changed = [...after.keys()].filter(
    (id) => before.has(id) && before.get(id) !== after.get(id),
  );
  const keptBefore = [...before.keys()].filter((id) => after.has(id));
  const keptAfter = [...after.keys()].filter((id) => before.has(id));
  const prevDefault = (previous as { defaultAction?: unknown } | null)?.defaultAction;
  return {
    added,
    removed,
    changed,
    reordered: keptBefore.join('\n') !== keptAfter.join('\n'),
    defaultChanged: JSON.stringify(prevDefault) !== JSON.stringify(next.defaultAction),
  };
}

/** Every rule id the change touched (added, removed or modified). */
export function changedRuleIds(d: PolicyDiff): string[] {
  return [...d.added, ...d.removed, ...d.changed];
}
