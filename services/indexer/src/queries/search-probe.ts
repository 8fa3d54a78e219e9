/**
 * The page of a broad search (see search-candidates.ts: too many matches to list): sessions
 * are taken newest first, in batches (100 sessions, then 400 each), until the page
 * is full. One statement per batch:
 * - when free text is plain words, a session whose word summary (`session_words`) lacks one
 *   of them is ruled out by that one row (a session with events and no summary, or an
 *   unknown one, is not); the steps below read only the sessions left;
 * - in the first batch, the first 64 rows of each session are read in session order (the
 *   `(session_id, offset_ms, event_id)` btree): where matches are common, as in the newest
 *   sessions of a broad search, this settles most sessions and often fills the page;
 * - the sessions still unsettled (all of them in later batches) are looked up together
 *   through the text indexes' session column (`ARRAY[session_id] && <batch>`): the index
 *   walks each term once per batch, and reads only the matching rows of those sessions.
 *   Probing each session through the btree reads all its rows (thousands for a long
 *   session without a match); probing each through the text index walks a common term's
 *   posting list once per session (14 ms each for "LibreOffice Calc").
 */
import type { CatalogSearchRequest } from '@sessionrec/contracts';
import type { EntityManager } from 'typeorm';
import {
  eventCondition,
  searchesTerminalText,
  sessionConditions,
  summaryAllows,
  summaryParts,
  terminalCondition,
} from './search-filter';
import { Params } from './sql';

const FIRST_BATCH = 100;
/**
 * Later batches stay this small: PostgreSQL checks `&&` against every session of the batch
 * for each candidate row, so a batch of 1600 long sessions cost 280-530 ms where four of
 * 400 cost 45-90 ms each (fresh catalogue of the bench, loaded machine).
 */
const LARGEST_BATCH = 400;
/** Rows of each session of the first batch read in session order before the text index. */
const QUICK_ROWS = 64;

interface ProbedRow {
  session_id: string;
  started_key: string;
  hit: boolean;
}

/**
 * The ids of the newest `want` sessions (after the keyset `after`) that pass the session
 * filters and have a match, newest first; fewer when the catalogue has no more.
 */
export async function probeMatchingSessions(
  db: EntityManager,
  r: CatalogSearchRequest,
  after: readonly [string, string] | undefined,
  want: number,
): Promise<string[]> {
  const found: string[] = [];
  let from = after;
  for (let batch = FIRST_BATCH; ; batch = Math.min(batch * 4, LARGEST_BATCH)) {
    const rows = await probeBatch(db, r, from, batch, batch === FIRST_BATCH);
    for (const row of rows) if (row.hit) found.push(row.session_id);
    const last = rows[rows.length - 1];
    if (found.length >= want || rows.length < batch || !last) return found.slice(0, want);
    from = [last.started_key, last.session_id];
  }
}

async function probeBatch(
  db: EntityManager,
  r: CatalogSearchRequest,
  after: readonly [string, string] | undefined,
  size: number,
  quick: boolean,
): Promise<ProbedRow[]> {
  const p = new Params();
  const where = sessionConditions(r, p);
  if (after !== undefined) {
    where.push(
      `(s.started_at, s.session_id) < (${p.add(after[0])}::timestamptz, ${p.add(after[1])}::uuid)`,
    );
  }
  const whereSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  // Sessions whose word summary lacks a word of the free text have no matching event: they
  // are ruled out by one row each, without the text indexes (see summaryParts).
  const parts = summaryParts(r);
  const candidates = parts
    ? `SELECT b.session_id FROM b LEFT JOIN session_words w ON w.session_id = b.session_id
        WHERE ${summaryAllows(parts, p)}`
    : 'SELECT b.session_id FROM b';
  // The first rows of each session in session order, through the (session_id, offset_ms)
  // btree: a match there settles the session without the text index.
  const quickHit = quick
    ? `EXISTS (SELECT 1 FROM (SELECT e.type, e.app, e.search_tsv, e.search_text, e.at
                                FROM events e WHERE e.session_id = c.session_id
                               ORDER BY e.offset_ms, e.event_id LIMIT ${QUICK_ROWS}) e
                WHERE ${eventCondition(r, p)})`
    : 'false';
  const events = `SELECT e.session_id FROM events e
                   WHERE ARRAY[e.session_id] && (SELECT ids FROM u) AND ${eventCondition(r, p)}`;
  // Terminal chunks (free text alone) of the whole batch (the summary covers events only); a
  // time range places them by their session's start (an inner s).
  const terminal = searchesTerminalText(r)
    ? ` UNION ALL SELECT t.session_id FROM terminal_text t JOIN sessions s ON s.session_id = t.session_id
         WHERE ARRAY[t.session_id] && (SELECT array_agg(session_id) FROM b)
           AND ${terminalCondition(r, p)}`
    : '';
  return db.query<ProbedRow[]>(
    `WITH b AS MATERIALIZED (
       SELECT s.session_id, s.started_at FROM sessions s ${whereSql}
        ORDER BY s.started_at DESC, s.session_id DESC LIMIT ${p.add(size)}),
     c AS MATERIALIZED (${candidates}),
     q AS MATERIALIZED (SELECT c.session_id, ${quickHit} AS hit FROM c),
     u AS MATERIALIZED (SELECT array_agg(q.session_id) AS ids FROM q WHERE NOT q.hit)
     SELECT b.session_id, b.started_at::text AS started_key,
            (coalesce(q.hit, false) OR b.session_id IN (${events}${terminal})) AS hit
       FROM b LEFT JOIN q ON q.session_id = b.session_id
      ORDER BY b.started_at DESC, b.session_id DESC`,
    p.values,
  );
}
