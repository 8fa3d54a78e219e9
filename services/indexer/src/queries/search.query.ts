/**
 * Answers catalog.search: one keyset page of sessions (newest first), the events and
 * terminal output that matched in each (at most 20, in session order, with offsets for the
 * player), their recordings, and facet counts over the whole result set (or over the page
 * when counting takes longer than FACETS_BUDGET_MS). Which sessions qualify is decided once
 * (`searchCandidates`) and shared by the page and the facets.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { CatalogSearchReply, CatalogSearchRequest, FacetCount } from '@sessionrec/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { INDEXER_CONFIG, type IndexerConfig } from '../indexer-config';
import { decodeTimeCursor, encodeCursor } from './cursor';
import {
  matchInCondition,
  sessionConditions,
  summaryDecides,
  summaryMatchCondition,
} from './search-filter';
import { matchesOf } from './search-matches';
import {
  BY_ROW_MAX_ROWS,
  type Candidates,
  resultSetCountable,
  searchCandidates,
} from './search-candidates';
import { probeMatchingSessions } from './search-probe';
import { recordingsOf, SESSION_COLUMNS, type SessionRow, toSessionFields } from './session-rows';
import { num, Params } from './sql';
import { queryWithin } from './statement-budget';

const FACET_SIZE = 20;
/**
 * Facets are counted over at most this many sessions (the newest matches): exact for
 * result sets up to this size, a sample of the newest for larger ones, so a search
 * matching most of the catalogue still answers in tens of milliseconds.
 */
export const FACET_SCAN_LIMIT = 2_000;
/**
 * How long counting facets over the result set may take. A broad free-text search on a
 * large catalogue takes longer (its newest 2000 matches are spread over the events of
 * thousands of sessions): its facets then count the page's sessions and the reply says
 * `facetsPartial`, so the page is not held for counts.
 */
export const FACETS_BUDGET_MS = 60;

interface FacetRow {
  facet: 'users' | 'hosts' | 'apps' | 'eventTypes';
  value: string;
  count: string;
}

function noFacets(): CatalogSearchReply['facets'] {
  return { users: [], hosts: [], apps: [], eventTypes: [] };
}

/**
 * The conditions on `sessions s` of a search, its event-level filters as `candidates` says.
 * A broad search's page is found by search-probe.ts; its facets, which need up to 2000
 * matching sessions, take the set form, or the word summaries when they decide the search.
 */
function searchConditions(r: CatalogSearchRequest, candidates: Candidates, p: Params): string[] {
  const where = sessionConditions(r, p);
  if (candidates.kind === 'probe') {
    where.push(summaryDecides(r) ? summaryMatchCondition(r, p) : matchInCondition(r, p));
  }
  if (candidates.kind === 'ids') {
    where.push(`s.session_id = ANY(${p.add(candidates.ids)}::uuid[])`);
  }
  return where;
}

function whereClause(where: readonly string[]): string {
  return where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
}

@Injectable()
export class SearchQuery {
  /** FACETS_BUDGET_MS; 0 counts the page only (tests set it to see that reply). */
  facetsBudgetMs = FACETS_BUDGET_MS;
  /** BY_ROW_MAX_ROWS; 0 looks within listed sessions through the text indexes only (tests). */
  byRowMaxRows = BY_ROW_MAX_ROWS;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(INDEXER_CONFIG) private readonly config: IndexerConfig,
  ) {}

  async search(r: CatalogSearchRequest): Promise<CatalogSearchReply> {
    const db = this.dataSource.manager;
    // Checked before any query, so a forged cursor fails the same way for every search.
    const after = r.cursor !== undefined ? decodeTimeCursor(r.cursor) : undefined;
    const candidates = await searchCandidates(
      db,
      r,
      this.config.INDEXER_SEARCH_LIST_ROWS,
      this.byRowMaxRows,
    );
    if (candidates.kind === 'ids' && candidates.ids.length === 0) {
      return { v: 1, sessions: [], facets: noFacets() };
    }
    // Page and facets run on two pooled connections at once: latency over strict snapshot.
    const page = this.page(db, r, candidates, after);
    const [pageReply, facets] = await Promise.all([page, this.facetsOrPage(r, candidates, page)]);
    return { v: 1, ...pageReply, ...facets };
  }

  /**
   * Facets of the result set within the budget, else of the page's sessions: exact all the
   * same when the page is the whole result set (first page, no next one).
   */
  private async facetsOrPage(
    r: CatalogSearchRequest,
    candidates: Candidates,
    page: Promise<{ sessions: { sessionId: string }[]; nextCursor?: string }>,
  ): Promise<Pick<CatalogSearchReply, 'facets' | 'facetsPartial'>> {
    const countable = this.facetsBudgetMs > 0 && resultSetCountable(r, candidates);
    const all = countable ? await this.facets(r, candidates) : undefined;
    if (all) return { facets: all };
    const { sessions, nextCursor } = await page;
    if (sessions.length === 0) return { facets: noFacets() };
    const ids = sessions.map((s) => s.sessionId);
    const facets = await this.facets({ v: 1, limit: r.limit }, { kind: 'ids', ids }, Infinity);
    const whole = r.cursor === undefined && nextCursor === undefined;
    return { facets: facets!, ...(whole ? {} : { facetsPartial: true as const }) };
  }

  private async page(
    db: EntityManager,
    r: CatalogSearchRequest,
    candidates: Candidates,
    after: [string, string] | undefined,
  ): Promise<Pick<CatalogSearchReply, 'sessions' | 'nextCursor'>> {
    if (candidates.kind === 'probe') {
      // The sessions of the page found batch by batch; the page is then read by their ids.
      const ids = await probeMatchingSessions(db, r, after, r.limit + 1);
      if (ids.length === 0) return { sessions: [] };
      return this.page(db, r, { kind: 'ids', ids }, after);
    }
    const p = new Params();
    const where = searchConditions(r, candidates, p);
    if (after !== undefined) {
      where.push(
        `(s.started_at, s.session_id) < (${p.add(after[0])}::timestamptz, ${p.add(after[1])}::uuid)`,
      );
    }
    const rows = await db.query<SessionRow[]>(
      `SELECT ${SESSION_COLUMNS} FROM sessions s ${whereClause(where)}
        ORDER BY s.started_at DESC, s.session_id DESC LIMIT ${p.add(r.limit + 1)}`,
      p.values,
    );
    const more = rows.length > r.limit;
    const pageRows = rows.slice(0, r.limit);
    const ids = pageRows.map((s) => s.session_id);
    const [recordings, matches] = await Promise.all([recordingsOf(db, ids), matchesOf(db, r, ids)]);
    const last = pageRows[pageRows.length - 1];
    return {
      sessions: pageRows.map((s) => ({
        ...toSessionFields(s, recordings.get(s.session_id)),
        matches: matches.get(s.session_id) ?? [],
      })),
      ...(more && last ? { nextCursor: encodeCursor([last.started_key, last.session_id]) } : {}),
    };
  }

  /**
   * Per facet, how many sessions of the whole result set have each value (top 20), or
   * undefined when counting took longer than `budgetMs`.
   */
  private async facets(
    r: CatalogSearchRequest,
    candidates: Candidates,
    budgetMs = this.facetsBudgetMs,
  ): Promise<CatalogSearchReply['facets'] | undefined> {
    const p = new Params();
    const where = searchConditions(r, candidates, p);
    const top = (facet: string, value: string, from: string) =>
      `(SELECT '${facet}' AS facet, ${value} AS value, count(*) AS count FROM ${from}
         WHERE ${value} IS NOT NULL GROUP BY 2 ORDER BY 3 DESC, 2 LIMIT ${FACET_SIZE})`;
    const sql = `WITH m AS MATERIALIZED (
         SELECT s.user_name, s.host, s.apps, s.event_types FROM sessions s ${whereClause(where)}
         ORDER BY s.started_at DESC, s.session_id DESC LIMIT ${FACET_SCAN_LIMIT})
       ${top('users', 'user_name', 'm')}
       UNION ALL ${top('hosts', 'host', 'm')}
       UNION ALL ${top('apps', 'a', 'm, unnest(m.apps) AS a')}
       UNION ALL ${top('eventTypes', 't', 'm, unnest(m.event_types) AS t')}`;
    const rows = Number.isFinite(budgetMs)
      ? await queryWithin<FacetRow[]>(this.dataSource, budgetMs, sql, p.values)
      : await this.dataSource.query<FacetRow[]>(sql, p.values);
    if (rows === undefined) return undefined;
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
