/**
 * The matches of one page of search results: per session, the first events satisfying
 * every event-level filter and (free text alone) the first chunks of terminal output that
 * contain the text, merged in session order, at most 20. A terminal match points at the
 * first line of its chunk that matches by itself (the words of a query may span lines of
 * one chunk; then the chunk's first line is used).
 *
 * Each session's rows are read in session order through the `(session_id, offset_ms, ...)`
 * btrees until 20 match: the conditions are wrapped in `(...) IS TRUE`, which no index
 * answers, because PostgreSQL otherwise ANDs the session's rows with the text index's
 * bitmap of the whole table, rebuilt for every session (5 ms each for a common word).
 */
import type { CatalogEventMatch, CatalogMatch, CatalogSearchRequest } from '@sessionrec/contracts';
import type { EntityManager } from 'typeorm';
import {
  eventCondition,
  hasEventFilter,
  hasSubstring,
  searchesTerminalText,
  terminalCondition,
  terminalOffsetSql,
} from './search-filter';
import { iso, likePattern, num, Params } from './sql';

export const MATCHES_PER_SESSION = 20;

interface EventMatchRow {
  sid: string;
  event_id: string;
  type: CatalogEventMatch['type'];
  at: Date;
  offset_ms: string;
  recording_id: string | null;
  snippet: string | null;
}

interface TerminalMatchRow {
  sid: string;
  recording_id: string;
  at: Date;
  offset_ms: string;
  snippet: string;
}

export async function matchesOf(
  db: EntityManager,
  r: CatalogSearchRequest,
  ids: readonly string[],
): Promise<Map<string, CatalogMatch[]>> {
  const out = new Map<string, CatalogMatch[]>();
  if (ids.length === 0 || !hasEventFilter(r)) return out;
  const [events, terminal] = await Promise.all([
    eventMatches(db, r, ids),
    searchesTerminalText(r) ? terminalMatches(db, r, ids) : Promise.resolve([]),
  ]);
  for (const m of [...events, ...terminal]) {
    const list = out.get(m.sid) ?? [];
    list.push(m.match);
    out.set(m.sid, list);
  }
  for (const [sid, list] of out) {
    list.sort((a, b) => a.offsetMs - b.offsetMs);
    out.set(sid, list.slice(0, MATCHES_PER_SESSION));
  }
  return out;
}

async function eventMatches(
  db: EntityManager,
  r: CatalogSearchRequest,
  ids: readonly string[],
): Promise<{ sid: string; match: CatalogMatch }[]> {
  const p = new Params();
  const idsParam = p.add(ids);
  const rows = await db.query<EventMatchRow[]>(
    `SELECT x.sid, e.event_id, e.type, e.at, e.offset_ms, e.recording_id,
            left(coalesce(e.title, e.command_line, e.file_path, e.app, e.search_text), 200) AS snippet
       FROM unnest(${idsParam}::uuid[]) AS x(sid)
       CROSS JOIN LATERAL (
         SELECT * FROM events e WHERE e.session_id = x.sid AND (${eventCondition(r, p)}) IS TRUE
          ORDER BY e.offset_ms, e.event_id LIMIT ${MATCHES_PER_SESSION}) e`,
    p.values,
  );
  return rows.map((m) => ({
    sid: m.sid,
    match: {
      eventId: m.event_id,
      type: m.type,
      at: iso(m.at),
      offsetMs: num(m.offset_ms),
      ...(m.recording_id ? { recordingId: m.recording_id } : {}),
      ...(m.snippet ? { snippet: m.snippet } : {}),
    },
  }));
}

async function terminalMatches(
  db: EntityManager,
  r: CatalogSearchRequest,
  ids: readonly string[],
): Promise<{ sid: string; match: CatalogMatch }[]> {
  const p = new Params();
  const idsParam = p.add(ids);
  const chunkMatch = terminalCondition(r, p);
  const lineWords = `to_tsvector('simple', l.line) @@ websearch_to_tsquery('simple', ${p.add(r.q)}::text)`;
  const lineMatch = hasSubstring(r)
    ? `(${lineWords} OR l.line ILIKE ${p.add(likePattern(r.q!.trim()))}::text)`
    : lineWords;
  const rows = await db.query<TerminalMatchRow[]>(
    `SELECT x.sid, t.recording_id, t.offset_ms - t.start_ms + coalesce(l.ms, t.start_ms) AS offset_ms,
            s.started_at + (t.offset_ms - t.start_ms + coalesce(l.ms, t.start_ms))
                           * interval '1 millisecond' AS at,
            left(coalesce(l.line, split_part(t.text, E'\\n', 1)), 200) AS snippet
       FROM unnest(${idsParam}::uuid[]) AS x(sid)
       JOIN sessions s ON s.session_id = x.sid
       CROSS JOIN LATERAL (
         SELECT t.recording_id, t.start_ms, t.text, t.line_ms, ${terminalOffsetSql()} AS offset_ms
           FROM terminal_text t WHERE t.session_id = x.sid AND (${chunkMatch}) IS TRUE
          ORDER BY offset_ms, recording_id LIMIT ${MATCHES_PER_SESSION}) t
       LEFT JOIN LATERAL (
         SELECT l.line, l.ms FROM unnest(string_to_array(t.text, E'\\n'), t.line_ms) AS l(line, ms)
          WHERE ${lineMatch} ORDER BY l.ms LIMIT 1) l ON true`,
    p.values,
  );
  return rows.map((m) => ({
    sid: m.sid,
    match: {
      kind: 'terminal-output',
      recordingId: m.recording_id,
      at: iso(m.at),
      offsetMs: num(m.offset_ms),
      snippet: m.snippet,
    },
  }));
}
