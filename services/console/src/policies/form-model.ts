/**
 * What every policy form's model shares: reading a document's fields leniently (a form
 * opens whatever was published), lists of patterns as comma-separated text, nested lists
 * that appear in several kinds (time windows, event triggers), numbers typed as text, and
 * where the api's error paths are shown (`rules[2].match.hosts[0]` under the field
 * `rules[2].match.hosts`: the longest field path before it).
 *
 * Fields a form has no control for are kept (`extra`) and written back as they were, so
 * nothing is lost by using a form.
 */
import type { FieldError } from './policy-fields';

export type Obj = Record<string, unknown>;

export function obj(value: unknown): Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {};
}

export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function without(o: Obj, keys: readonly string[]): Obj {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
}

export function listText(value: unknown): string {
  return Array.isArray(value) ? value.map((v) => String(v)).join(', ') : '';
}

export function splitList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** A number field's text ('' when absent). */
export function numberText(value: unknown): string {
  return typeof value === 'number' ? String(value) : '';
}

/**
 * A number field's value: undefined when empty, the number when it is one, else the text
 * itself, so the api names the field ("expected number") rather than the form guessing.
 */
export function numberValue(text: string): number | string | undefined {
  const t = text.trim();
  if (!t) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
}

/** A yes/no/unset choice: '' keeps the setting out of the document. */
export type Choice = '' | 'yes' | 'no';

export function choiceOf(value: unknown): Choice {
  return value === true ? 'yes' : value === false ? 'no' : '';
}

export function choiceValue(choice: Choice): boolean | undefined {
  return choice === 'yes' ? true : choice === 'no' ? false : undefined;
}

/** Sets `key` to `value` in `target` only when it is defined (an empty field stays out). */
export function put(target: Obj, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

/** A trimmed text field's value, undefined when empty. */
export function text(value: string): string | undefined {
  const t = value.trim();
  return t ? t : undefined;
}

/** A comma-separated list's value, undefined when empty. */
export function list(value: string): string[] | undefined {
  const items = splitList(value);
  return items.length > 0 ? items : undefined;
}

let nextKey = 1;

/** A stable React key for an item of an ordered list: it survives reordering. */
export function newKey(): number {
  return nextKey++;
}

export interface Keyed {
  key: number;
}

/** A list with item `from` moved to `to` (both in range), the rest in order. */
export function moved<T>(items: readonly T[], from: number, to: number): T[] {
  if (to < 0 || to >= items.length || from === to) return [...items];
  const copy = [...items];
  const [item] = copy.splice(from, 1);
  copy.splice(to, 0, item as T);
  return copy;
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

/** Collects the errors a draft's own checks find (text that cannot become a value). */
export class DraftErrors {
  readonly errors: FieldError[] = [];

  add(path: string, message: string): void {
    this.errors.push({ path, message });
  }

  /** The JSON in a text field, or undefined (empty, or an error at `path`). */
  json(path: string, value: string): unknown {
    if (!value.trim()) return undefined;
    try {
      return JSON.parse(value) as unknown;
    } catch (err) {
      this.add(path, `not valid JSON: ${(err as Error).message}`);
      return undefined;
    }
  }

  result<T>(build: () => T): { document: T } | { errors: FieldError[] } {
    const document = build();
    return this.errors.length > 0 ? { errors: this.errors } : { document };
  }
}

// ---- Time windows (recording rules, response rules) ----

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export interface WindowDraft extends Keyed {
  days: string[];
  from: string;
  to: string;
  timeZone: string;
  extra: Obj;
}

function localTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

export function emptyWindow(): WindowDraft {
  return {
    key: newKey(),
    days: ['mon', 'tue', 'wed', 'thu', 'fri'],
    from: '08:00',
    to: '18:00',
    timeZone: localTimeZone(),
    extra: {},
  };
}

export function windowDrafts(value: unknown): WindowDraft[] {
  if (!Array.isArray(value)) return [];
  return value.map((v) => {
    const w = obj(v);
    return {
      key: newKey(),
      days: strings(w.days),
      from: str(w.from),
      to: str(w.to),
      timeZone: str(w.timeZone),
      extra: without(w, ['days', 'from', 'to', 'timeZone']),
    };
  });
}

/** Windows as the document has them; undefined when there are none (the field is left out). */
export function windowsValue(windows: readonly WindowDraft[]): Obj[] | undefined {
  if (windows.length === 0) return undefined;
  return windows.map((w) => ({
    ...w.extra,
    days: WEEKDAYS.filter((d) => w.days.includes(d)),
    from: w.from,
    to: w.to,
    timeZone: w.timeZone.trim(),
  }));
}

/** The fields of a list of windows at `path` (`rules[0].match.timeWindows`). */
export function windowPaths(path: string, windows: readonly WindowDraft[]): string[] {
  return [
    path,
    ...windows.flatMap((_, i) => {
      const w = `${path}[${i}]`;
      return [w, `${w}.days`, `${w}.from`, `${w}.to`, `${w}.timeZone`];
    }),
  ];
}

// ---- Event triggers (record-on-event triggers, response rules' events) ----

export interface TriggerDraft extends Keyed {
  eventType: string;
  /** `name=pattern` pairs, comma- or line-separated. */
  attributes: string;
  extra: Obj;
}

export function emptyTrigger(eventType = 'usb.insert'): TriggerDraft {
  return { key: newKey(), eventType, attributes: '', extra: {} };
}

export function triggerDrafts(value: unknown): TriggerDraft[] {
  if (!Array.isArray(value)) return [];
  return value.map((v) => {
    const t = obj(v);
    return {
      key: newKey(),
      eventType: str(t.eventType),
      attributes: Object.entries(obj(t.attributes))
        .map(([k, pattern]) => `${k}=${String(pattern)}`)
        .join(', '),
      extra: without(t, ['eventType', 'attributes']),
    };
  });
}

/** Triggers as the document has them; an attribute without `=` is an error at its field. */
export function triggersValue(
  path: string,
  triggers: readonly TriggerDraft[],
  errors: DraftErrors,
): Obj[] {
  return triggers.map((t, i) => {
    const attributes: Record<string, string> = {};
    for (const pair of splitList(t.attributes)) {
      const at = pair.indexOf('=');
      if (at <= 0) {
        errors.add(`${path}[${i}].attributes`, `"${pair}" is not name=pattern`);
        continue;
      }
      attributes[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
    }
    return {
      ...t.extra,
      eventType: t.eventType,
      ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
    };
  });
}

export function triggerPaths(path: string, triggers: readonly TriggerDraft[]): string[] {
  return [
    path,
    ...triggers.flatMap((_, i) => [
      `${path}[${i}]`,
      `${path}[${i}].eventType`,
      `${path}[${i}].attributes`,
    ]),
  ];
}

/** The pattern lists a rule matches on, by key, as comma-separated text. */
export function listDrafts<K extends string>(match: Obj, keys: readonly K[]): Record<K, string> {
  return Object.fromEntries(keys.map((k) => [k, listText(match[k])])) as Record<K, string>;
}

/** The non-empty pattern lists, written into `target`. */
export function putLists<K extends string>(
  target: Obj,
  lists: Record<K, string>,
  keys: readonly K[],
): void {
  for (const k of keys) put(target, k, list(lists[k]));
}
