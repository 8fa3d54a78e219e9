/**
 * A short summary of what a new policy version changed, for the audit trail. Every kind
 * has ordered `rules` with ids; the default is `defaultAction` (recording) or `defaults`
 * (detection); whatever else changed (name, description) is `otherChanged`.
 */

export interface PolicyDiff {
  readonly added: string[];
  readonly removed: string[];
  readonly changed: string[];
  readonly reordered: boolean;
  readonly defaultChanged: boolean;
  readonly otherChanged: boolean;
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

function field(doc: unknown, key: string): unknown {
  return doc !== null && typeof doc === 'object'
    ? (doc as Record<string, unknown>)[key]
    : undefined;
}

function others(doc: unknown): string {
  if (doc === null || typeof doc !== 'object') return '';
  const { rules: _r, defaultAction: _a, defaults: _d, ...rest } = doc as Record<string, unknown>;
  return JSON.stringify(rest);
}

export function diffPolicies(previous: unknown, next: unknown): PolicyDiff {
  const before = rulesById(previous);
  const after = rulesById(next);
  const added = [...after.keys()].filter((id) => !before.has(id));
  const removed = [...before.keys()].filter((id) => !after.has(id));
  const changed = [...after.keys()].filter(
    (id) => before.has(id) && before.get(id) !== after.get(id),
  );
  const keptBefore = [...before.keys()].filter((id) => after.has(id));
  const keptAfter = [...after.keys()].filter((id) => before.has(id));
  const defaultOf = (doc: unknown) =>
    JSON.stringify(field(doc, 'defaultAction') ?? field(doc, 'defaults'));
  return {
    added,
    removed,
    changed,
    reordered: keptBefore.join('\n') !== keptAfter.join('\n'),
    defaultChanged: defaultOf(previous) !== defaultOf(next),
    otherChanged: previous !== null && others(previous) !== others(next),
  };
}

/** Every rule id the change touched (added, removed or modified). */
export function changedRuleIds(d: PolicyDiff): string[] {
  return [...d.added, ...d.removed, ...d.changed];
}
