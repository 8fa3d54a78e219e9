/**
 * Answers catalog.search: one keyset page of sessions (newest first), the events that
 * matched in each (at most 20, in session order, with offsets for the player), their
 * recordings, and facet counts over the whole result set.
 */
import { Injectable } from '@nestjs/common';
import type {
  CatalogEventMatch,
  CatalogMatch,
  CatalogSearchReply,
  CatalogSearchRequest,
  FacetCount,
} from '@sessionrec/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { decodeTimeCursor, encodeCursor } from './cursor';
import { eventCondition, hasEventFilter, sessionConditions } from './search-filter';
import { recordingsOf, SESSION_COLUMNS, type SessionRow, toSessionFields } from './session-rows';
import { iso, num, Params } from './sql';

const MATCHES_PER_SESSION = 20;
const FACET_SIZE = 20;
/**
 * Facets are counted over at most this many sessions (the newest matches): exact for
 * result sets up to this size, a sample of the newest for larger ones, so a search
 * matching most of the catalogue still answers in tens of milliseconds.
 */
export const FACET_SCAN_LIMIT = 2_000;

interface MatchRow {
  sid: string;
  event_id: string;
  type: CatalogEventMatch['type'];
  at: Date;
  offset_ms: string;
  recording_id: string | null;
  snippet: string | null;
}

interface FacetRow {
  facet: 'users' | 'hosts' | 'apps' | 'eventTypes';
  value: string;
  count: string;
}

@Injectable()
export class SearchQuery {
  constructor(private readonly dataSource: DataSource) {}

  async search(r: CatalogSearchRequest): Promise<CatalogSearchReply> {
    // Page and facets run on two pooled connections at once: latency over strict snapshot.
    const db = this.dataSource.manager;
    const [page, facets] = await Promise.all([this.page(db, r), this.facets(db, r)]);
    return { v: 1, ...page, facets };
  }

  private async page(
    db: EntityManager,
    r: CatalogSearchRequest,
  ): Promise<Pick<CatalogSearchReply, 'sessions' | 'nextCursor'>> {
    const p = new Params();
    const where = sessionConditions(r, p);
    if (r.cursor !== undefined) {
      const [startedKey, sessionId] = decodeTimeCursor(r.cursor);
      where.push(
        `(s.started_at, s.session_id) < (${p.add(startedKey)}::timestamptz, ${p.add(sessionId)}::uuid)`,
      );
    }
    const rows = await db.query<SessionRow[]>(
      `SELECT ${SESSION_COLUMNS} FROM sessions s
        ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY s.started_at DESC, s.session_id DESC LIMIT ${p.add(r.limit + 1)}`,
      p.values,
    );
    const more = rows.length > r.limit;
    const pageRows = rows.slice(0, r.limit);
    const ids = pageRows.map((s) => s.session_id);
    const [recordings, matches] = await Promise.all([
      recordingsOf(db, ids),
      this.matches(db, r, ids),
    ]);
    const last = pageRows[pageRows.length - 1];
    return {
      sessions: pageRows.map((s) => ({
        ...toSessionFields(s, recordings.get(s.session_id)),
        matches: matches.get(s.session_id) ?? [],
      })),
      ...(more && last ? { nextCursor: encodeCursor([last.started_key, last.session_id]) } : {}),
    };
  }

  private async matches(
    db: EntityManager,
    r: CatalogSearchRequest,
    ids: readonly string[],
  ): Promise<Map<string, CatalogMatch[]>> {
    const out = new Map<string, CatalogMatch[]>();
    if (ids.length === 0 || !hasEventFilter(r)) return out;
    const p = new Params();
    const idsParam = p.add(ids);
    const eventMatch = eventCondition(r, p);
    const rows = await db.query<MatchRow[]>(
      `SELECT x.sid, e.event_id, e.type, e.at, e.offset_ms, e.recording_id,
              left(coalesce(e.title, e.command_line, e.file_path, e.app, e.search_text), 200) AS snippet
         FROM unnest(${idsParam}::uuid[]) AS x(sid)
         CROSS JOIN LATERAL (
           SELECT * FROM events e WHERE e.session_id = x.sid AND ${eventMatch}
            ORDER BY e.offset_ms, e.event_id LIMIT ${MATCHES_PER_SESSION}) e`,
      p.values,
    );
    for (const m of rows) {
      const list = out.get(m.sid) ?? [];
      list.push({
        eventId: m.event_id,
        type: m.type,
        at: iso(m.at),
        offsetMs: num(m.offset_ms),
        ...(m.recording_id ? { recordingId: m.recording_id } : {}),
        ...(m.snippet ? { snippet: m.snippet } : {}),
      });
      out.set(m.sid, list);
    }
    return out;
  }

  /** Per facet, how many sessions of the whole result set have each value (top 20). */
  private async facets(
    db: EntityManager,
    r: CatalogSearchRequest,
  ): Promise<CatalogSearchReply['facets']> {
    const p = new Params();
    const sessionWhere = sessionConditions(r, p);
    const top = (facet: string, value: string, from: string) =>
      `(SELECT '${facet}' AS facet, ${value} AS value, count(*) AS count FROM ${from}
         WHERE ${value} IS NOT NULL GROUP BY 2 ORDER BY 3 DESC, 2 LIMIT ${FACET_SIZE})`;
    const rows = await db.query<FacetRow[]>(
      `WITH m AS MATERIALIZED (
         SELECT s.user_name, s.host, s.apps, s.event_types FROM sessions s
         ${sessionWhere.length > 0 ? `WHERE ${sessionWhere.join(' AND ')}` : ''}
         ORDER BY s.started_at DESC, s.session_id DESC LIMIT ${FACET_SCAN_LIMIT})
       ${top('users', 'user_name', 'm')}
       UNION ALL ${top('hosts', 'host', 'm')}
       UNION ALL ${top('apps', 'a', 'm, unnest(m.apps) AS a')}
       UNION ALL ${top('eventTypes', 't', 'm, unnest(m.event_types) AS t')}`,
      p.values,
    );
    const facets: Record<FacetRow['facet'], FacetCount[]> = {
      users: [],
      hosts: [],
      apps: [],
      eventTypes: [],
    };
    for (const row of rows)
      facets[row.facet].push({ value: row.value.slice(0, 512), count: num(row.count) });
    return facets;
  }
}
