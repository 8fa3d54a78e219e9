/**
 * Turns an event's free-form attributes into the catalogue's typed columns (application,
 * window title, command line, file path) and the text free-text search reads. Agents name
 * these attributes slightly differently across platforms; the first known name wins.
 */
import type { EventRecorded } from '@sessionrec/contracts';

export interface EventRow {
  eventId: string;
  sessionId: string;
  agentId: string;
  recordingId: string | null;
  type: string;
  at: string;
  offsetMs: number;
  app: string | null;
  title: string | null;
  commandLine: string | null;
  filePath: string | null;
  details: string;
  searchText: string;
}

const APP_KEYS = ['app', 'application', 'process', 'processName'];
const TITLE_KEYS = ['windowTitle', 'title'];
const COMMAND_KEYS = ['commandLine', 'command', 'cmdline'];
const FILE_KEYS = ['path', 'file', 'filePath', 'fileName'];

/** Longest searchable text kept per event: titles and command lines, not documents. */
export const MAX_SEARCH_TEXT = 4096;

function pick(attributes: EventRecorded['attributes'], keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = attributes[key];
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  return null;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * PostgreSQL text and jsonb hold neither NUL nor lone UTF-16 surrogates; agents should
 * never send them, but one odd title must not fail a whole batch.
 */
export function clean(value: string): string {
  return value.replaceAll(String.fromCharCode(0), '').replace(LONE_SURROGATE, '\uFFFD');
}

function cleanAttributes(attributes: EventRecorded['attributes']): EventRecorded['attributes'] {
  const out: EventRecorded['attributes'] = {};
  for (const [k, v] of Object.entries(attributes))
    out[clean(k)] = typeof v === 'string' ? clean(v) : v;
  return out;
}

/**
 * JSON.stringify writes a NUL or a lone surrogate only as an escape (`\u0000`, `\udXXX`), so
 * attributes whose JSON has neither are stored as they came, without a cleaned copy. (A
 * literal backslash followed by `u0000` also matches: it is cleaned, which changes nothing.)
 */
const NEEDS_CLEANING = /\\u0000|\\ud[89a-f]/i;

export function toEventRow(event: EventRecorded): EventRow {
  const raw = JSON.stringify(event.attributes);
  const asIs = !NEEDS_CLEANING.test(raw);
  const a = asIs ? event.attributes : cleanAttributes(event.attributes);
  const app = pick(a, APP_KEYS);
  const title = pick(a, TITLE_KEYS);
  const commandLine = pick(a, COMMAND_KEYS);
  const filePath = pick(a, FILE_KEYS);
  const texts = new Set<string>();
  for (const v of [app, title, commandLine, filePath]) if (v) texts.add(v);
  for (const v of Object.values(a)) if (typeof v === 'string' && v.trim() !== '') texts.add(v);
  return {
    eventId: event.eventId,
    sessionId: event.sessionId,
    agentId: event.agentId,
    recordingId: event.recordingId ?? null,
    type: event.type,
    at: event.at,
    offsetMs: event.offsetMs,
    app,
    title,
    commandLine,
    filePath,
    details: asIs ? raw : JSON.stringify(a),
    searchText: [...texts].join(' \n ').slice(0, MAX_SEARCH_TEXT),
  };
}

const WHITESPACE = /\s+/u;

/**
 * The words of a text as the per-session summary (`session_words`) keeps them: split at
 * whitespace (JavaScript's \s), not lowercased here (the writer lowercases them with
 * PostgreSQL's lower(), as ILIKE does). A string without whitespace that a text contains lies
 * within one of these words; search splits free text the same way (search-filter.ts).
 */
export function textWords(text: string): string[] {
  return text.split(WHITESPACE).filter((w) => w !== '');
}
