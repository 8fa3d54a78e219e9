/**
 * Turns a catalog.search request into SQL conditions. Session-level filters (user, group,
 * host, client, time range) apply to the session row; event-level filters (event type,
 * application, free text) must all hold for one event, which becomes a match the player
 * can jump to. Free text is PostgreSQL full-text (words, `websearch` syntax) or a
 * case-insensitive substring (trigram-indexed), over titles, command lines, file paths,
 * application names and every string attribute of an event.
 */
import type { CatalogSearchRequest } from '@sessionrec/contracts';
import { likePattern, type Params } from './sql';
import { viewingCondition } from './viewing-scope';

/** Substring search needs three characters for the trigram index to help. */
const MIN_SUBSTRING = 3;

/** Whether the request has a filter that makes single events matches. */
export function hasEventFilter(r: CatalogSearchRequest): boolean {
  return r.event !== undefined || r.app !== undefined || r.q !== undefined;
}

/**
 * Conditions on `sessions s`. Only parameters the SQL references are added (PostgreSQL
 * cannot type an unreferenced one).
 */
export function sessionConditions(r: CatalogSearchRequest, p: Params): string[] {
  const where: string[] = [];
  // Sessions outside the asker's viewing scope are not there at all, for any filter.
  const visible = viewingCondition(r.scope, p);
  if (visible) where.push(visible);
  if (r.user !== undefined) where.push(`lower(s.user_name) = lower(${p.add(r.user)}::text)`);
  if (r.group !== undefined) where.push(`s.groups @> ARRAY[${p.add(r.group)}::text]`);
  if (r.host !== undefined) where.push(`lower(s.host) = lower(${p.add(r.host)}::text)`);
  if (r.client !== undefined) where.push(`s.client_address <<= ${p.add(r.client)}::inet`);
  if (r.from !== undefined) {
    where.push(`coalesce(s.ended_at, 'infinity') >= ${p.add(r.from)}::timestamptz`);
  }
  if (r.to !== undefined) where.push(`s.started_at <= ${p.add(r.to)}::timestamptz`);
  if (r.event !== undefined) where.push(`s.event_types @> ARRAY[${p.add(r.event)}::text]`);
  if (r.app !== undefined) {
    where.push(
      `EXISTS (SELECT 1 FROM session_apps a WHERE a.session_id = s.session_id
                 AND lower(a.name) = lower(${p.add(r.app)}::text))`,
    );
  }
  // One event-level filter alone is exact at session level; otherwise one event must match all.
  const single = !r.q && !r.from && !r.to && (r.event === undefined || r.app === undefined);
  if (hasEventFilter(r) && !single) {
    // Matching events first (free text through its GIN/trigram indexes), then their
    // sessions: probing each candidate session's events instead is slow for sessions with
    // thousands of events that do not match.
    where.push(`s.session_id IN (SELECT e.session_id FROM events e WHERE ${eventCondition(r, p)})`);
  }
  return where;
}

/** The condition on `events e` that makes an event a match (call only with an event filter). */
export function eventCondition(r: CatalogSearchRequest, p: Params): string {
  const conditions: string[] = [];
  if (r.event !== undefined) conditions.push(`e.type = ${p.add(r.event)}::text`);
  if (r.app !== undefined) conditions.push(`lower(e.app) = lower(${p.add(r.app)}::text)`);
  if (r.q !== undefined) {
    const words = `e.search_tsv @@ websearch_to_tsquery('simple', ${p.add(r.q)}::text)`;
    conditions.push(
      r.q.trim().length >= MIN_SUBSTRING
        ? `(${words} OR e.search_text ILIKE ${p.add(likePattern(r.q.trim()))}::text)`
        : words,
    );
  }
  if (r.from !== undefined) conditions.push(`e.at >= ${p.add(r.from)}::timestamptz`);
  if (r.to !== undefined) conditions.push(`e.at <= ${p.add(r.to)}::timestamptz`);
  return conditions.join(' AND ');
}
