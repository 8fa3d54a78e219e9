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

export interface SearchFilter {
  /** Conditions on `sessions s`. */
  readonly sessionWhere: string[];
  /** Condition on `events e` that makes an event a match, if any event-level filter was given. */
  readonly eventMatch: string | undefined;
}

/** Substring search needs three characters for the trigram index to help. */
const MIN_SUBSTRING = 3;

export function buildSearchFilter(r: CatalogSearchRequest, p: Params): SearchFilter {
  const where: string[] = [];
  if (r.user !== undefined) where.push(`lower(s.user_name) = lower(${p.add(r.user)})`);
  if (r.group !== undefined) where.push(`s.groups @> ARRAY[${p.add(r.group)}::text]`);
  if (r.host !== undefined) where.push(`lower(s.host) = lower(${p.add(r.host)})`);
  if (r.client !== undefined) where.push(`s.client_address <<= ${p.add(r.client)}::inet`);
  if (r.from !== undefined) {
    where.push(`coalesce(s.ended_at, 'infinity') >= ${p.add(r.from)}::timestamptz`);
  }
  if (r.to !== undefined) where.push(`s.started_at <= ${p.add(r.to)}::timestamptz`);
  if (r.event !== undefined) where.push(`s.event_types @> ARRAY[${p.add(r.event)}::text]`);
  if (r.app !== undefined) {
    where.push(
      `EXISTS (SELECT 1 FROM session_apps a WHERE a.session_id = s.session_id
                 AND lower(a.name) = lower(${p.add(r.app)}))`,
    );
  }

  const conditions: string[] = [];
  if (r.event !== undefined) conditions.push(`e.type = ${p.add(r.event)}`);
  if (r.app !== undefined) conditions.push(`lower(e.app) = lower(${p.add(r.app)})`);
  if (r.q !== undefined) {
    const words = `e.search_tsv @@ websearch_to_tsquery('simple', ${p.add(r.q)})`;
    conditions.push(
      r.q.trim().length >= MIN_SUBSTRING
        ? `(${words} OR e.search_text ILIKE ${p.add(likePattern(r.q.trim()))})`
        : words,
    );
  }
  if (conditions.length === 0) return { sessionWhere: where, eventMatch: undefined };
  if (r.from !== undefined) conditions.push(`e.at >= ${p.add(r.from)}::timestamptz`);
  if (r.to !== undefined) conditions.push(`e.at <= ${p.add(r.to)}::timestamptz`);
  const eventMatch = conditions.join(' AND ');
  // One filter alone is already exact at session level; combinations need one event for all.
  const needsEvent =
    r.q !== undefined ||
    (r.event !== undefined && r.app !== undefined) ||
    r.from !== undefined ||
    r.to !== undefined;
  if (needsEvent) {
    where.push(
      `EXISTS (SELECT 1 FROM events e WHERE e.session_id = s.session_id AND ${eventMatch})`,
    );
  }
  return { sessionWhere: where, eventMatch };
}
