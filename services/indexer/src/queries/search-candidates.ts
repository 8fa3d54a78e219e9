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
  terminalCondition,
  type TextForm,
  hasEventFilter,
} from './search-filter';
import { Params } from './sql';

export type Candidates =
  | { readonly kind: 'all' }
  | { readonly kind: 'probe' }
  | { readonly kind: 'ids'; readonly ids: readonly string[] };

interface SessionIdRow {
  session_id: string;
}

/**
 * `limit`: rows one branch reads at most before the search counts as broad (0: always
 * probe).
 */
export async function searchCandidates(
  db: EntityManager,
  r: CatalogSearchRequest,
  limit: number,
): Promise<Candidates> {
  if (!hasEventFilter(r) || sessionRowDecides(r)) return { kind: 'all' };
  // Words first: cheap, and a common word makes the search broad before any substring scan.
  const rounds: TextForm[][] =
    r.q === undefined ? [['any']] : hasSubstring(r) ? [['words'], ['substring']] : [['words']];
  const ids = new Set<string>();
  for (const forms of rounds) {
    const branches = forms.flatMap((form) => [
      branch(db, eventBranch(r, form, limit), limit),
      ...(searchesTerminalText(r) ? [branch(db, terminalBranch(r, form, limit), limit)] : []),
    ]);
    for (const rows of await Promise.all(branches)) {
      if (rows === undefined) return { kind: 'probe' };
      for (const row of rows) ids.add(row.session_id);
    }
  }
  return { kind: 'ids', ids: [...ids] };
}

interface Branch {
  sql: string;
  params: unknown[];
}

/**
 * `SELECT <alias>.session_id FROM <table> <alias> WHERE <where>`, joined with the session
 * when there are session filters (or a time range on terminal output, placed by the
 * session's start); without them the join would cost a lookup per row.
 */
function candidates(
  r: CatalogSearchRequest,
  p: Params,
  table: string,
  alias: string,
  where: string,
  options: { joinSession: boolean; limit: number },
): string {
  const sessionWhere = sessionConditions(r, p);
  const select = `SELECT ${alias}.session_id FROM ${table} ${alias}`;
  if (sessionWhere.length === 0 && !options.joinSession) {
    return `${select} WHERE ${where} LIMIT ${options.limit + 1}`;
  }
  return `${select} JOIN sessions s ON s.session_id = ${alias}.session_id
           WHERE ${[where, ...sessionWhere].join(' AND ')} LIMIT ${options.limit + 1}`;
}

function eventBranch(r: CatalogSearchRequest, form: TextForm, limit: number): Branch {
  const p = new Params();
  const where = eventCondition(r, p, form);
  const sql = candidates(r, p, 'events', 'e', where, { joinSession: false, limit });
  return { sql, params: p.values };
}

function terminalBranch(r: CatalogSearchRequest, form: TextForm, limit: number): Branch {
  const p = new Params();
  const joinSession = r.from !== undefined || r.to !== undefined;
  const where = terminalCondition(r, p, form);
  const sql = candidates(r, p, 'terminal_text', 't', where, { joinSession, limit });
  return { sql, params: p.values };
}

async function branch(
  db: EntityManager,
  b: Branch,
  limit: number,
): Promise<SessionIdRow[] | undefined> {
  const rows = await db.query<SessionIdRow[]>(b.sql, b.params);
  return rows.length > limit ? undefined : rows;
}
