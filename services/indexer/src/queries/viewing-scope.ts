/**
 * A viewing scope (which sessions the asker may see) as one SQL condition on a sessions
 * row: any entry of `anyOf` matches when all the fields it gives match (a list is OR of
 * glob patterns, compared case-insensitively with ILIKE). Unknown users or hosts (a session
 * known only from its segments) never match a restricted scope.
 */
import { globToIlike, type ViewingScope, type ViewingSubjects } from '@sessionrec/contracts';
import type { Params } from './sql';

const patterns = (globs: readonly string[]) => globs.map(globToIlike);

function entryCondition(entry: ViewingSubjects, p: Params, s: string): string {
  const all: string[] = [];
  if (entry.users) all.push(`${s}.user_name ILIKE ANY(${p.add(patterns(entry.users))}::text[])`);
  if (entry.hosts) all.push(`${s}.host ILIKE ANY(${p.add(patterns(entry.hosts))}::text[])`);
  if (entry.groups) {
    all.push(
      `EXISTS (SELECT 1 FROM unnest(${s}.groups) AS vg(name) WHERE vg.name ILIKE ANY(${p.add(patterns(entry.groups))}::text[]))`,
    );
  }
  if (entry.applications) {
    all.push(
      `EXISTS (SELECT 1 FROM unnest(${s}.apps) AS va(name) WHERE va.name ILIKE ANY(${p.add(patterns(entry.applications))}::text[]))`,
    );
  }
  return all.length === 0 ? 'true' : `(${all.join(' AND ')})`;
}

/** The condition on sessions row `s`, or undefined when the scope restricts nothing. */
export function viewingCondition(
  scope: ViewingScope | undefined,
  p: Params,
  s = 's',
): string | undefined {
  if (!scope) return undefined;
  if (scope.anyOf.length === 0) return 'false';
  return `(${scope.anyOf.map((entry) => entryCondition(entry, p, s)).join(' OR ')})`;
}
