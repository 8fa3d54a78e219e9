/**
 * Which sessions can satisfy a search's event-level filters, decided once per search and
 * shared by the page, its matches and the facets:
 * - `ids`: the sessions with a match, found from the matching events and terminal chunks
 *   through their indexes (words through the full-text index, substrings through the
 *   trigram index, each in its own statement so neither rechecks the other). Rare matches
 *   are found in a few milliseconds this way, where reading sessions newest first would
 *   probe thousands of them.
 * - `probe`: too many matches to list (more than INDEXER_SEARCH_LIST_ROWS rows in one
 *   branch): each
 *   session, newest first, is probed for a match instead, and a page fills quickly because
 *   matches are common.
 * - `all`: no event-level filter, or one the session row decides by itself.
 */
import type { CatalogSearchRequest } from '@sessionrec/contracts';
import type { EntityManager } from 'typeorm';
import {
  eventCondition,
  hasSubstring,
  searchesTerminalText,
  sessionConditions,
  sessionRowDecides,
  substringSuffices,
  summaryAllows,
  summaryDecides,
  summaryParts,
  terminalCondition,
  type TextForm,
  hasEventFilter,
} from './search-filter';
import { Params } from './sql';

export type Candidates =
  | { readonly kind: 'all' }
  /** `expected`: PostgreSQL expected over ten times the listing limit (nothing listed). */
  | { readonly kind: 'probe'; readonly expected: boolean }
  | { readonly kind: 'ids'; readonly ids: readonly string[] };

/**
 * Whether the facets of the whole result set are worth counting within the budget. Not
 * for a search PostgreSQL expects to match over ten times the listing limit (50k rows)
 * unless the word summaries decide it: the set form reads every match once into a hash
 * (47k events took 210 ms), so such an attempt always ran out of the budget, holding the
 * reply and a database core for FACETS_BUDGET_MS. Its facets are the page's at once.
 */
export function resultSetCountable(r: CatalogSearchRequest, c: Candidates): boolean {
  return c.kind !== 'probe' || !c.expected || summaryDecides(r);
}

/** A branch with too many matches to list: expected so, or found so by listing. */
type Broad = 'expected' | 'listed';

interface SessionIdRow {
  session_id: string;
}

/**
 * `limit`: rows one branch reads at most before the search counts as broad (0: always
 * probe). `byRowMaxRows`: see BY_ROW_MAX_ROWS (0: always through the text indexes).
 */
export async function searchCandidates(
  db: EntityManager,
  r: CatalogSearchRequest,
  limit: number,
  byRowMaxRows = BY_ROW_MAX_ROWS,
): Promise<Candidates> {
  if (!hasEventFilter(r) || sessionRowDecides(r)) return { kind: 'all' };
  const filtered = r.q !== undefined ? await filteredSessions(db, r, limit) : undefined;
  if (filtered?.all.length === 0) return { kind: 'ids', ids: [] };
  const [eventsWithin, terminalWithin] = filtered
    ? await Promise.all([
        within(db, 'events', filtered.events, byRowMaxRows),
        searchesTerminalText(r)
          ? within(db, 'terminal_text', filtered.all, byRowMaxRows)
          : undefined,
      ])
    : [undefined, undefined];
  // Words first: cheap, and a common word makes the search broad before any substring scan.
  const rounds: TextForm[][] =
    r.q === undefined
      ? [['any']]
      : substringSuffices(r)
        ? [['substring']]
        : hasSubstring(r)
          ? [['words'], ['substring']]
          : [['words']];
  const ids = new Set<string>();
  for (const forms of rounds) {
    const branches = forms.flatMap((form) => [
      // No session left by the filters has the words in its summary: no event can match.
      filtered?.events.length === 0
        ? Promise.resolve([])
        : branch(
            db,
            eventBranch(r, form, limit, eventsWithin),
            limit,
            eachWord(r, form, limit, eventsWithin),
          ),
      ...(searchesTerminalText(r)
        ? [branch(db, terminalBranch(r, form, limit, terminalWithin), limit)]
        : []),
    ]);
    const results = await Promise.all(branches);
    if (results.some((rows) => typeof rows === 'string')) {
      return { kind: 'probe', expected: results.includes('expected') };
    }
    for (const rows of results as SessionIdRow[][]) for (const row of rows) ids.add(row.session_id);
  }
  return { kind: 'ids', ids: [...ids] };
}

interface Branch {
  sql: string;
  params: unknown[];
  /**
   * Within listed sessions looked up row by row: PostgreSQL expects at most
   * BY_ROW_MAX_ROWS rows for them, cheap to read, so no estimate is asked first (a round
   * trip on the search's path); the rows read decide whether the branch is broad.
   */
  bounded?: boolean;
}

interface Filtered {
  /** The sessions the session-level filters leave. */
  all: string[];
  /** Those of them whose word summary may hold the free text (see summaryParts). */
  events: string[];
}

/** Sessions to look for matches in, and how (see `within`). */
interface Within {
  readonly ids: readonly string[];
  /** Through the table's `(session_id, ...)` btree, every row of each session rechecked. */
  readonly byRow: boolean;
  /** By row, and at most BY_ROW_MAX_ROWS rows expected: cheap whatever the text. */
  readonly bounded: boolean;
}

/**
 * Rows PostgreSQL may expect the listed sessions to have for their matches to be looked up
 * row by row: reading a few thousand rows through the session btree and rechecking each
 * costs a few milliseconds, where the text indexes' `&&` on the session column took 15-45 ms
 * for a user's 169 sessions (each candidate of the text checked against every listed
 * session). A long session is among the column's most common values, so its estimate is
 * its own. More rows are still read row by row when the sessions are many and short (at most
 * BY_ROW_PER_SESSION rows each on average): the `&&` costs grow with the number of sessions
 * (a user's 635 sessions, ~15k rows: 97 ms through the text index, 9.5 ms row by row).
 */
export const BY_ROW_MAX_ROWS = 10_000;
const BY_ROW_PER_SESSION = 50;

async function within(
  db: EntityManager,
  table: 'events' | 'terminal_text',
  ids: readonly string[],
  maxRows: number,
): Promise<Within> {
  if (ids.length === 0 || maxRows <= 0) return { ids, byRow: false, bounded: false };
  const rows = await estimatedRows(db, {
    sql: `SELECT 1 FROM ${table} x WHERE x.session_id = ANY($1::uuid[])`,
    params: [ids],
  });
  const bounded = rows <= maxRows;
  return { ids, byRow: bounded || rows <= BY_ROW_PER_SESSION * ids.length, bounded };
}

interface FilteredRow extends SessionIdRow {
  maybe: boolean;
}

/**
 * The sessions the session-level filters leave, when there are such filters and at most
 * `limit` sessions pass them (else undefined). Free text is then looked for in those
 * sessions only, through the text indexes' session column: reading every match of a
 * common word in the catalogue to join it with a user's sessions took 100 ms and more.
 * When free text is plain words, the events are looked for only in the sessions whose word
 * summary has them all (the text indexes check `&&` against every listed session per
 * candidate row: 150 ms for a user's 1300 sessions, where one summary row each is a few).
 */
async function filteredSessions(
  db: EntityManager,
  r: CatalogSearchRequest,
  limit: number,
): Promise<Filtered | undefined> {
  const p = new Params();
  const where = sessionConditions(r, p);
  if (where.length === 0) return undefined;
  const parts = summaryParts(r);
  const listing = {
    sql: parts
      ? `SELECT s.session_id, ${summaryAllows(parts, p)} AS maybe
           FROM sessions s LEFT JOIN session_words w ON w.session_id = s.session_id
          WHERE ${where.join(' AND ')} LIMIT ${limit + 1}`
      : `SELECT s.session_id, true AS maybe FROM sessions s
          WHERE ${where.join(' AND ')} LIMIT ${limit + 1}`,
    params: p.values,
  };
  // Filters PostgreSQL expects most sessions to pass (an application, a group) are not
  // listed only to find out.
  if ((await estimatedRows(db, listing)) > limit) return undefined;
  const rows = await db.query<FilteredRow[]>(listing.sql, listing.params);
  if (rows.length > limit) return undefined;
  return {
    all: rows.map((row) => row.session_id),
    events: rows.filter((row) => row.maybe).map((row) => row.session_id),
  };
}

/**
 * `SELECT <alias>.session_id FROM <table> <alias> WHERE <where>`: within the sessions
 * `within` when given (through the session btree or the text index, see `within`), else
 * joined with the session when there are session filters; and joined for a time range on
 * terminal output (placed by the session's start). Without filters the join would cost a
 * lookup per row.
 */
function candidates(
  r: CatalogSearchRequest,
  p: Params,
  table: string,
  alias: string,
  where: string,
  options: { joinSession: boolean; limit: number; within: Within | undefined },
): string {
  const conditions = [where];
  const w = options.within;
  if (w?.byRow) {
    // IS TRUE keeps the text condition off its index: PostgreSQL would AND the session
    // btree with the whole text index's candidates (17 ms) instead of rechecking the rows.
    conditions.splice(
      0,
      1,
      `${alias}.session_id = ANY(${p.add(w.ids)}::uuid[])`,
      `(${where}) IS TRUE`,
    );
  } else if (w) {
    conditions.unshift(`ARRAY[${alias}.session_id] && ${p.add(w.ids)}::uuid[]`);
  }
  // The session-level forms of event type and application are implied by the row's own
  // (a session's `event_types` and `apps` hold those of every event it has): joining each
  // matching row with its session only for them cost a lookup per row.
  const sessionWhere =
    options.within && !options.joinSession
      ? []
      : sessionConditions({ ...r, event: undefined, app: undefined }, p);
  const select = `SELECT ${alias}.session_id FROM ${table} ${alias}`;
  if (sessionWhere.length === 0 && !options.joinSession) {
    return `${select} WHERE ${conditions.join(' AND ')} LIMIT ${options.limit + 1}`;
  }
  return `${select} JOIN sessions s ON s.session_id = ${alias}.session_id
           WHERE ${[...conditions, ...sessionWhere].join(' AND ')} LIMIT ${options.limit + 1}`;
}

function eventBranch(
  r: CatalogSearchRequest,
  form: TextForm,
  limit: number,
  within: Within | undefined,
): Branch {
  const p = new Params();
  const where = eventCondition(r, p, form);
  const sql = candidates(r, p, 'events', 'e', where, { joinSession: false, limit, within });
  return { sql, params: p.values, bounded: within?.bounded === true };
}

function terminalBranch(
  r: CatalogSearchRequest,
  form: TextForm,
  limit: number,
  within: Within | undefined,
): Branch {
  const p = new Params();
  const joinSession = r.from !== undefined || r.to !== undefined;
  const where = terminalCondition(r, p, form);
  const sql = candidates(r, p, 'terminal_text', 't', where, { joinSession, limit, within });
  return { sql, params: p.values, bounded: within?.bounded === true };
}

/**
 * A branch PostgreSQL expects to match this many times the listing limit counts as broad
 * without being listed: listing stops only after reading limit + 1 rows (for a substring,
 * each rechecked in the table: 50-150 ms for 5000). The estimate (pg_trgm's and the
 * full-text statistics) only chooses the plan; both plans give the same answer.
 */
const BROAD_ESTIMATE_FACTOR = 10;

interface PlanNode {
  'Node Type': string;
  'Plan Rows': number;
  Plans?: PlanNode[];
}

/** The rows PostgreSQL expects the branch to match, before its LIMIT. */
async function estimatedRows(db: EntityManager, b: Branch): Promise<number> {
  const [row] = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }[]>(
    `EXPLAIN (FORMAT JSON) ${b.sql}`,
    b.params,
  );
  const plan = row?.['QUERY PLAN'][0].Plan;
  if (!plan) return 0;
  return plan['Node Type'] === 'Limit' ? (plan.Plans?.[0]?.['Plan Rows'] ?? 0) : plan['Plan Rows'];
}

/**
 * For the words form of plain words (two or more), the same branch for each word alone.
 * PostgreSQL estimates AND-ed words as if independent; words that go together (an
 * application's name: "LibreOffice Calc") match far more often than that (22k estimated,
 * 316k matched in the bench: 50 ms of listing before the search turned broad anyway).
 */
function eachWord(
  r: CatalogSearchRequest,
  form: TextForm,
  limit: number,
  within: Within | undefined,
): Branch[] | undefined {
  const parts = summaryParts(r);
  if (form !== 'words' || !parts || parts.length < 2) return undefined;
  return parts.map((q) => eventBranch({ ...r, q }, form, limit, within));
}

async function branch(
  db: EntityManager,
  b: Branch,
  limit: number,
  words?: readonly Branch[],
): Promise<SessionIdRow[] | Broad> {
  if (limit > 0 && !b.bounded) {
    const estimate = await estimatedRows(db, b);
    if (estimate > BROAD_ESTIMATE_FACTOR * limit) return 'expected';
    // Expected over the limit, and each word alone far over it: broad without listing.
    if (words && estimate > limit) {
      const each = await Promise.all(words.map((w) => estimatedRows(db, w)));
      if (each.every((n) => n > BROAD_ESTIMATE_FACTOR * limit)) return 'expected';
    }
  }
  const rows = await db.query<SessionIdRow[]>(b.sql, b.params);
  return rows.length > limit ? 'listed' : rows;
}
