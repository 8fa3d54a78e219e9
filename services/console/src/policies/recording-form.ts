/**
 * The recording policy as a form: the name, the default action and an ordered list of
 * rules, each with its own fields (id, action, who and where it matches, notice, event
 * triggers, capture, retention). Lists of patterns are edited as comma-separated text;
 * nested settings with many shapes (time windows, triggers, capture) as small JSON fields.
 * Fields the form does not know are kept as they were, so nothing is lost by using it.
 *
 * Errors come back from the api as paths (`rules[2].match.hosts[0]`); each is shown at
 * the form field whose path is the longest prefix of it (`rules[2].match.hosts`).
 */
import type { FieldError } from './policy-fields';

export const DECISIONS = ['record', 'do-not-record', 'record-on-event'] as const;

export const MATCH_LISTS = [
  { key: 'users', label: 'Users' },
  { key: 'groups', label: 'Groups' },
  { key: 'hosts', label: 'Hosts' },
  { key: 'applications', label: 'Applications' },
  { key: 'clientNetworks', label: 'Client networks (CIDR)' },
] as const;
export type MatchListKey = (typeof MATCH_LISTS)[number]['key'];

export const JSON_FIELDS = [
  { key: 'timeWindows', path: 'match.timeWindows', label: 'Time windows (JSON)' },
  { key: 'triggers', path: 'triggers', label: 'Event triggers (JSON)' },
  { key: 'capture', path: 'capture', label: 'Capture settings (JSON)' },
] as const;
export type JsonFieldKey = (typeof JSON_FIELDS)[number]['key'];

export interface NoticeDraft {
  show: boolean;
  text: string;
}

export interface RuleDraft {
  /** Stable React key: survives reordering. */
  key: number;
  id: string;
  description: string;
  action: string;
  lists: Record<MatchListKey, string>;
  json: Record<JsonFieldKey, string>;
  notice: NoticeDraft;
  retentionClass: string;
  /** Fields of the rule and of its match that the form has no control for. */
  extra: Record<string, unknown>;
  extraMatch: Record<string, unknown>;
}

export interface RecordingDraft {
  name: string;
  description: string;
  defaultAction: string;
  defaultNotice: NoticeDraft;
  rules: RuleDraft[];
  extra: Record<string, unknown>;
  extraDefault: Record<string, unknown>;
}

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {};
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function without(o: Obj, keys: readonly string[]): Obj {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
}

function listText(value: unknown): string {
  return Array.isArray(value) ? value.map((v) => String(v)).join(', ') : '';
}

function noticeDraft(value: unknown): NoticeDraft {
  const n = obj(value);
  return { show: n.show === true, text: str(n.text) };
}

let nextKey = 1;

export function emptyRule(id = ''): RuleDraft {
  return {
    key: nextKey++,
    id,
    description: '',
    action: 'record',
    lists: { users: '', groups: '', hosts: '', applications: '', clientNetworks: '' },
    json: { timeWindows: '', triggers: '', capture: '' },
    notice: { show: false, text: '' },
    retentionClass: '',
    extra: {},
    extraMatch: {},
  };
}

function ruleDraft(value: unknown): RuleDraft {
  const r = obj(value);
  const match = obj(r.match);
  const json = (v: unknown) => (v === undefined ? '' : JSON.stringify(v, null, 2));
  return {
    ...emptyRule(str(r.id)),
    description: str(r.description),
    action: str(r.action) || 'record',
    lists: {
      users: listText(match.users),
      groups: listText(match.groups),
      hosts: listText(match.hosts),
      applications: listText(match.applications),
      clientNetworks: listText(match.clientNetworks),
    },
    json: {
      timeWindows: json(match.timeWindows),
      triggers: json(r.triggers),
      capture: json(r.capture),
    },
    notice: noticeDraft(r.notice),
    retentionClass: str(r.retentionClass),
    extra: without(r, [
      'id',
      'description',
      'action',
      'match',
      'notice',
      'triggers',
      'capture',
      'retentionClass',
    ]),
    extraMatch: without(match, [...MATCH_LISTS.map((l) => l.key), 'timeWindows']),
  };
}

export function toDraft(document: Obj): RecordingDraft {
  const def = obj(document.defaultAction);
  return {
    name: str(document.name),
    description: str(document.description),
    defaultAction: str(def.action) || 'do-not-record',
    defaultNotice: noticeDraft(def.notice),
    rules: Array.isArray(document.rules) ? document.rules.map(ruleDraft) : [],
    extra: without(document, ['name', 'description', 'defaultAction', 'rules']),
    extraDefault: without(def, ['action', 'notice']),
  };
}

function splitList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function noticeOf(n: NoticeDraft): Obj | undefined {
  if (!n.show && !n.text.trim()) return undefined;
  return { show: n.show, ...(n.text.trim() ? { text: n.text.trim() } : {}) };
}

/** The document the form describes, or the fields whose JSON does not parse. */
export function fromDraft(draft: RecordingDraft): { document: Obj } | { errors: FieldError[] } {
  const errors: FieldError[] = [];
  const parse = (path: string, text: string): unknown => {
    if (!text.trim()) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      errors.push({ path, message: `not valid JSON: ${(err as Error).message}` });
      return undefined;
    }
  };
  const rules = draft.rules.map((rule, i) => {
    const match: Obj = { ...rule.extraMatch };
    for (const { key } of MATCH_LISTS) {
      const items = splitList(rule.lists[key]);
      if (items.length > 0) match[key] = items;
    }
    const windows = parse(`rules[${i}].match.timeWindows`, rule.json.timeWindows);
    if (windows !== undefined) match.timeWindows = windows;
    const triggers = parse(`rules[${i}].triggers`, rule.json.triggers);
    const capture = parse(`rules[${i}].capture`, rule.json.capture);
    const notice = noticeOf(rule.notice);
    return {
      ...rule.extra,
      id: rule.id.trim(),
      ...(rule.description.trim() ? { description: rule.description.trim() } : {}),
      match,
      action: rule.action,
      ...(notice ? { notice } : {}),
      ...(triggers !== undefined ? { triggers } : {}),
      ...(capture !== undefined ? { capture } : {}),
      ...(rule.retentionClass.trim() ? { retentionClass: rule.retentionClass.trim() } : {}),
    };
  });
  if (errors.length > 0) return { errors };
  const defaultNotice = noticeOf(draft.defaultNotice);
  return {
    document: {
      ...draft.extra,
      name: draft.name.trim(),
      ...(draft.description.trim() ? { description: draft.description.trim() } : {}),
      defaultAction: {
        ...draft.extraDefault,
        action: draft.defaultAction,
        ...(defaultNotice ? { notice: defaultNotice } : {}),
      },
      rules,
    },
  };
}

/** The form fields of a draft, by error path, in the order they are shown. */
export function fieldPaths(draft: RecordingDraft): string[] {
  const paths = ['name', 'description', 'defaultAction.action', 'defaultAction.notice'];
  draft.rules.forEach((_, i) => {
    const r = `rules[${i}]`;
    paths.push(r, `${r}.id`, `${r}.description`, `${r}.action`, `${r}.match`);
    for (const { key } of MATCH_LISTS) paths.push(`${r}.match.${key}`);
    for (const { path } of JSON_FIELDS) paths.push(`${r}.${path}`);
    paths.push(`${r}.notice`, `${r}.retentionClass`);
  });
  return paths;
}

/** `rules[2].match.hosts[0]` is at `rules[2].match.hosts`: the longest field path before it. */
export function fieldOf(errorPath: string, paths: readonly string[]): string {
  let best = '';
  for (const p of paths) {
    const at = errorPath === p || errorPath.startsWith(`${p}.`) || errorPath.startsWith(`${p}[`);
    if (at && p.length > best.length) best = p;
  }
  return best;
}

/** Errors grouped by the field that shows them (`` = the form as a whole). */
export function errorsByField(
  errors: readonly FieldError[],
  paths: readonly string[],
): Map<string, FieldError[]> {
  const map = new Map<string, FieldError[]>();
  for (const error of errors) {
    const field = fieldOf(error.path, paths);
    map.set(field, [...(map.get(field) ?? []), error]);
  }
  return map;
}

/** A list with item `from` moved to `to` (both in range), the rest in order. */
export function moved<T>(list: readonly T[], from: number, to: number): T[] {
  if (to < 0 || to >= list.length || from === to) return [...list];
  const copy = [...list];
  const [item] = copy.splice(from, 1);
  copy.splice(to, 0, item as T);
  return copy;
}
