/**
 * Turns a catalog.search request into SQL conditions. Session-level filters (user, group,
 * host, client, time range) apply to the session row; event-level filters (event type,
 * application, free text) must all hold for one event, which becomes a match the player
 * can jump to. Free text is PostgreSQL full-text (words, `websearch` syntax) or a
 * case-insensitive substring (trigram-indexed), over titles, command lines, file paths,
 * application names and every string attribute of an event, and over terminal output
 * (chunks of lines of asciicast segments) when free text is the only event-level filter.
 */
import type { CatalogSearchRequest } from '@sessionrec/contracts';
import { likePattern, type Params } from './sql';
import { viewingCondition } from './viewing-scope';

/** Substring search needs three characters for the trigram index to help. */
const MIN_SUBSTRING = 3;

/**
 * The period a session `s` is active, exactly as `sessions_active_idx` indexes it (migration
 * CatalogSearchBySession1796300000000): the two must stay identical for the index to be used.
 */
const SESSION_ACTIVE_RANGE = `tstzrange(s.started_at,
  CASE WHEN s.ended_at IS NULL THEN 'infinity'::timestamptz ELSE greatest(s.started_at, s.ended_at) END,
  '[]')`;

/** Whether the request has a filter that makes single events matches. */
export function hasEventFilter(r: CatalogSearchRequest): boolean {
  return r.event !== undefined || r.app !== undefined || r.q !== undefined;
}

/**
 * Whether the session row alone decides the event-level filters: one of event type or
 * application, without free text or a time range (which one event must satisfy too).
 */
export function sessionRowDecides(r: CatalogSearchRequest): boolean {
  return !r.q && !r.from && !r.to && (r.event === undefined || r.app === undefined);
}

/** Terminal output has no type or application: it can match free text alone. */
export function searchesTerminalText(r: CatalogSearchRequest): boolean {
  return r.q !== undefined && r.event === undefined && r.app === undefined;
}

/** Whether free text also runs as a substring search (besides words). */
export function hasSubstring(r: CatalogSearchRequest): boolean {
  return r.q !== undefined && r.q.trim().length >= MIN_SUBSTRING;
}

/**
 * Whether the substring form alone decides free text: `q` is one plain word (ASCII letters
 * and digits). Its words then match only a text with a token that, lowercased, is `q` (the
 * `simple` configuration only lowercases), and such a text contains `q` whatever the case:
 * words add no match, and the search reads one index instead of two.
 */
export function substringSuffices(r: CatalogSearchRequest): boolean {
  return hasSubstring(r) && /^[A-Za-z0-9]+$/.test(r.q!.trim());
}

/**
 * Conditions on `sessions s` from the session-level filters, plus the exact session-level
 * forms of event type and application (true of every session an event-level match can
 * be in, and indexed). Only parameters the SQL references are added (PostgreSQL cannot
 * type an unreferenced one).
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
  const from = r.from !== undefined ? `${p.add(r.from)}::timestamptz` : undefined;
  const to = r.to !== undefined ? `${p.add(r.to)}::timestamptz` : undefined;
  if (from !== undefined) where.push(`coalesce(s.ended_at, 'infinity') >= ${from}`);
  if (to !== undefined) where.push(`s.started_at <= ${to}`);
  if (from !== undefined || to !== undefined) {
    // Implied by the two above (the indexed period never ends before the session starts):
    // lets PostgreSQL find the sessions of a range through sessions_active_idx.
    where.push(`${SESSION_ACTIVE_RANGE} && tstzrange(${from ?? 'NULL'}, ${to ?? 'NULL'}, '[]')`);
  }
  if (r.open !== undefined) where.push(r.open ? 's.ended_at IS NULL' : 's.ended_at IS NOT NULL');
  if (r.event !== undefined) where.push(`s.event_types @> ARRAY[${p.add(r.event)}::text]`);
  if (r.app !== undefined) {
    // The session row's own list (the names session_apps holds): no lookup per session.
    where.push(
      `EXISTS (SELECT 1 FROM unnest(s.apps) AS a(name) WHERE lower(a.name) = lower(${p.add(r.app)}::text))`,
    );
  }
  return where;
}

/** Free text the word summary decides: plain words (ASCII letters and digits) and spaces. */
const PLAIN_WORDS = /^[A-Za-z0-9]{1,256}(?: +[A-Za-z0-9]{1,256})*$/;

/**
 * The parts of free text `q` that every event matching it contains (case-insensitively),
 * each without whitespace, when `q` is plain words (ASCII letters and digits separated by
 * spaces, none of them `or`), else undefined. Its substring form contains every word; its
 * words form (`websearch_to_tsquery('simple', q)`: each plain word is one lexeme, the word
 * lowercased, AND-ed) needs each word as a token of the text, so the text contains it too.
 * A session whose word summary (`session_words`, whitespace-separated words, lowercased)
 * lacks one of them has no matching event: see `summaryAllows`.
 */
export function summaryParts(r: CatalogSearchRequest): string[] | undefined {
  const q = r.q?.trim();
  if (q === undefined || !PLAIN_WORDS.test(q)) return undefined;
  const parts = q.split(/ +/);
  return parts.some((w) => w.toLowerCase() === 'or') ? undefined : parts;
}

/**
 * The condition on `session_words w` (left-joined: no row is unknown, as is NULL words)
 * that a session may have an event matching free text with these parts.
 */
export function summaryAllows(parts: readonly string[], p: Params, w = 'w'): string {
  const has = parts.map((part) => `strpos(${w}.words, lower(${p.add(part)}::text)) > 0`);
  return `(${w}.words IS NULL OR (${has.join(' AND ')}))`;
}

/** Which free-text forms a condition uses: both (a match), or one branch of a candidate search. */
export type TextForm = 'any' | 'words' | 'substring';

function textCondition(
  r: CatalogSearchRequest,
  p: Params,
  tsv: string,
  text: string,
  form: TextForm,
): string | undefined {
  if (r.q === undefined) return undefined;
  const words = () => `${tsv} @@ websearch_to_tsquery('simple', ${p.add(r.q)}::text)`;
  const substring = () => `${text} ILIKE ${p.add(likePattern(r.q!.trim()))}::text`;
  if (form === 'words') return words();
  if (form === 'substring') return substring();
  if (substringSuffices(r)) return substring();
  return hasSubstring(r) ? `(${words()} OR ${substring()})` : words();
}

/**
 * The condition on `events e` that makes an event a match (call only with an event
 * filter). `form` narrows free text to one of its two forms, so each can use its own index
 * without rechecking the other.
 */
export function eventCondition(r: CatalogSearchRequest, p: Params, form: TextForm = 'any'): string {
  const conditions: string[] = [];
  if (r.event !== undefined) conditions.push(`e.type = ${p.add(r.event)}::text`);
  if (r.app !== undefined) conditions.push(`lower(e.app) = lower(${p.add(r.app)}::text)`);
  const text = textCondition(r, p, 'e.search_tsv', 'e.search_text', form);
  if (text) conditions.push(text);
  if (r.from !== undefined) conditions.push(`e.at >= ${p.add(r.from)}::timestamptz`);
  if (r.to !== undefined) conditions.push(`e.at <= ${p.add(r.to)}::timestamptz`);
  return conditions.join(' AND ');
}

/**
 * The session offset where a terminal chunk `t` starts: its recording's origin (the start
 * of the first segment, as the player counts) plus the chunk's recording-relative time.
 */
export function terminalOffsetSql(t = 't'): string {
  return `(coalesce((SELECT g.start_ms FROM segments g WHERE g.recording_id = ${t}.recording_id
                      ORDER BY g.seq LIMIT 1), 0) + ${t}.start_ms)`;
}

/**
 * The condition on `terminal_text t` (joined with its `sessions s` when a time range is
 * given) that makes a chunk of terminal output a match (call only with free text).
 */
export function terminalCondition(
  r: CatalogSearchRequest,
  p: Params,
  form: TextForm = 'any',
): string {
  const conditions = [textCondition(r, p, 't.text_tsv', 't.text', form)!];
  const at = `(s.started_at + ${terminalOffsetSql()} * interval '1 millisecond')`;
  if (r.from !== undefined) conditions.push(`${at} >= ${p.add(r.from)}::timestamptz`);
  if (r.to !== undefined) conditions.push(`${at} <= ${p.add(r.to)}::timestamptz`);
  return conditions.join(' AND ');
}

/**
 * Whether a session's word summary decides free text exactly: `q` is one plain word of three
 * characters or more (its substring form alone decides, see `substringSuffices`) and there
 * is no other event-level filter (event type, application) nor a time range (the summary
 * holds the words of all the session's events). A text contains such a word exactly when
 * one of its whitespace-separated words does, so a session whose summary is known has a
 * matching event exactly when its summary contains the word, lowercased.
 */
export function summaryDecides(r: CatalogSearchRequest): boolean {
  return (
    substringSuffices(r) &&
    r.event === undefined &&
    r.app === undefined &&
    r.from === undefined &&
    r.to === undefined
  );
}

/**
 * The condition on `sessions s` that it has a match, for a search the summary decides
 * (`summaryDecides`): its summary contains the word, or, when its summary is unknown, one
 * of its events matches; or a chunk of its terminal output matches (terminal output is not
 * in the summary). Per session one summary lookup instead of reading its matching events:
 * the facets of a broad one-word search count the newest 2000 matching sessions this way.
 */
export function summaryMatchCondition(r: CatalogSearchRequest, p: Params): string {
  const word = `lower(${p.add(r.q!.trim())}::text)`;
  // A scalar subquery (LIMIT 1), not EXISTS: PostgreSQL would rather hash every matching
  // event in the catalogue once (47k for "restart": 200 ms) than look up the few sessions
  // without a summary one by one. The terminal chunks that match are read once (a hash):
  // looking them up per session cost more than the summary itself.
  const events = `(SELECT true FROM events e
                    WHERE e.session_id = s.session_id AND ${eventCondition(r, p)} LIMIT 1)`;
  return `(coalesce((SELECT strpos(w.words, ${word}) > 0 FROM session_words w
                      WHERE w.session_id = s.session_id), ${events}, false)
            OR s.session_id IN (SELECT t.session_id FROM terminal_text t
                                 WHERE ${terminalCondition(r, p)}))`;
}

/**
 * The set form of the event-level filters, for counting facets over a broad search's
 * newest 2000 matching sessions: PostgreSQL chooses, and for a common word it reads all
 * matches once into a hash (hundreds of milliseconds on a large catalogue: the facets then
 * fall back to the page, see FACETS_BUDGET_MS) where probing session after session until
 * 2000 matched took seconds.
 */
export function matchInCondition(r: CatalogSearchRequest, p: Params): string {
  const events = `SELECT e.session_id FROM events e WHERE ${eventCondition(r, p)}`;
  if (!searchesTerminalText(r)) return `s.session_id IN (${events})`;
  // A time range places chunks by their session's start (this inner s hides the outer one).
  const join =
    r.from !== undefined || r.to !== undefined
      ? ' JOIN sessions s ON s.session_id = t.session_id'
      : '';
  return `s.session_id IN (${events} UNION ALL
            SELECT t.session_id FROM terminal_text t${join} WHERE ${terminalCondition(r, p)})`;
}
