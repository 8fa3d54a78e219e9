/**
 * The recording policy as a form: the name, the default action and an ordered list of
 * rules, each with its own fields (id, action, who and where it matches, time windows,
 * notice, the events that start a record-on-event recording, capture settings, retention).
 * Lists of patterns are edited as comma-separated text; time windows and event triggers
 * with the same pieces as the response rules (form-model.ts, form-parts.tsx).
 * Fields the form does not know are kept as they were, so nothing is lost by using it.
 *
 * Errors come back from the api as paths (`rules[2].match.hosts[0]`); each is shown at
 * the form field whose path is the longest prefix of it (`rules[2].match.hosts`).
 */
import {
  DraftErrors,
  emptyTrigger,
  errorsByField,
  fieldOf,
  type Keyed,
  list,
  listDrafts,
  listText,
  moved,
  newKey,
  numberText,
  numberValue,
  type Obj,
  obj,
  put,
  putLists,
  str,
  text,
  triggerDrafts,
  triggerPaths,
  triggersValue,
  type TriggerDraft,
  windowDrafts,
  windowPaths,
  windowsValue,
  type WindowDraft,
  without,
} from './form-model';
import type { FieldError } from './policy-fields';

export { errorsByField, fieldOf, moved };

export const DECISIONS = ['record', 'do-not-record', 'record-on-event'] as const;

export const MATCH_LISTS = [
  { key: 'users', label: 'Users' },
  { key: 'groups', label: 'Groups' },
  { key: 'hosts', label: 'Hosts' },
  { key: 'applications', label: 'Applications' },
  { key: 'clientNetworks', label: 'Client networks (CIDR)' },
] as const;
export type MatchListKey = (typeof MATCH_LISTS)[number]['key'];
const MATCH_KEYS = MATCH_LISTS.map((l) => l.key);

export const QUALITIES = ['low', 'medium', 'high'] as const;

export interface NoticeDraft {
  show: boolean;
  text: string;
}

/** A rule's own capture settings (all four are required when a rule has them). */
export interface CaptureDraft {
  frameRate: string;
  quality: string;
  inputCapture: boolean;
  excludedApplications: string;
  extra: Obj;
}

export interface RuleDraft extends Keyed {
  id: string;
  description: string;
  action: string;
  lists: Record<MatchListKey, string>;
  windows: WindowDraft[];
  /** The events that start a record-on-event recording, and the minutes kept before. */
  triggers: TriggerDraft[];
  preEventMinutes: string;
  /** undefined: the rule has no capture settings of its own. */
  capture: CaptureDraft | undefined;
  notice: NoticeDraft;
  retentionClass: string;
  /** Fields of the rule, its match and its triggers that the form has no control for. */
  extra: Obj;
  extraMatch: Obj;
  extraTriggers: Obj;
}

export interface RecordingDraft {
  name: string;
  description: string;
  defaultAction: string;
  defaultNotice: NoticeDraft;
  rules: RuleDraft[];
  extra: Obj;
  extraDefault: Obj;
}

function noticeDraft(value: unknown): NoticeDraft {
  const n = obj(value);
  return { show: n.show === true, text: str(n.text) };
}

export function emptyCapture(): CaptureDraft {
  return {
    frameRate: '5',
    quality: 'medium',
    inputCapture: false,
    excludedApplications: '',
    extra: {},
  };
}

function captureDraft(value: unknown): CaptureDraft | undefined {
  if (value === undefined) return undefined;
  const c = obj(value);
  return {
    frameRate: numberText(c.frameRate),
    quality: str(c.quality),
    inputCapture: c.inputCapture === true,
    excludedApplications: listText(c.excludedApplications),
    extra: without(c, ['frameRate', 'quality', 'inputCapture', 'excludedApplications']),
  };
}

export function emptyRule(id = ''): RuleDraft {
  return {
    key: newKey(),
    id,
    description: '',
    action: 'record',
    lists: { users: '', groups: '', hosts: '', applications: '', clientNetworks: '' },
    windows: [],
    triggers: [emptyTrigger()],
    preEventMinutes: '5',
    capture: undefined,
    notice: { show: false, text: '' },
    retentionClass: '',
    extra: {},
    extraMatch: {},
    extraTriggers: {},
  };
}

function ruleDraft(value: unknown): RuleDraft {
  const r = obj(value);
  const match = obj(r.match);
  const triggers = obj(r.triggers);
  return {
    ...emptyRule(str(r.id)),
    description: str(r.description),
    action: str(r.action) || 'record',
    lists: listDrafts(match, MATCH_KEYS),
    windows: windowDrafts(match.timeWindows),
    ...(r.triggers !== undefined
      ? {
          triggers: triggerDrafts(triggers.events),
          preEventMinutes: numberText(triggers.preEventMinutes),
        }
      : {}),
    capture: captureDraft(r.capture),
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
    extraMatch: without(match, [...MATCH_KEYS, 'timeWindows']),
    extraTriggers: without(triggers, ['events', 'preEventMinutes']),
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

function noticeOf(n: NoticeDraft): Obj | undefined {
  if (!n.show && !n.text.trim()) return undefined;
  return { show: n.show, ...(n.text.trim() ? { text: n.text.trim() } : {}) };
}

function captureValue(c: CaptureDraft | undefined): Obj | undefined {
  if (!c) return undefined;
  return {
    ...c.extra,
    frameRate: numberValue(c.frameRate),
    quality: c.quality,
    inputCapture: c.inputCapture,
    excludedApplications: list(c.excludedApplications) ?? [],
  };
}

/** The document the form describes, or the fields whose text cannot become a value. */
export function fromDraft(draft: RecordingDraft): { document: Obj } | { errors: FieldError[] } {
  const errors = new DraftErrors();
  return errors.result(() => {
    const rules = draft.rules.map((rule, i) => {
      const match: Obj = { ...rule.extraMatch };
      putLists(match, rule.lists, MATCH_KEYS);
      put(match, 'timeWindows', windowsValue(rule.windows));
      const out: Obj = { ...rule.extra, id: rule.id.trim() };
      put(out, 'description', text(rule.description));
      out.match = match;
      out.action = rule.action;
      put(out, 'notice', noticeOf(rule.notice));
      // Triggers belong to record-on-event rules only (the api refuses them elsewhere).
      if (rule.action === 'record-on-event') {
        const triggers: Obj = {
          ...rule.extraTriggers,
          events: triggersValue(`rules[${i}].triggers.events`, rule.triggers, errors),
        };
        put(triggers, 'preEventMinutes', numberValue(rule.preEventMinutes));
        out.triggers = triggers;
      }
      put(out, 'capture', captureValue(rule.capture));
      put(out, 'retentionClass', text(rule.retentionClass));
      return out;
    });
    const document: Obj = { ...draft.extra, name: draft.name.trim() };
    put(document, 'description', text(draft.description));
    const defaultAction: Obj = { ...draft.extraDefault, action: draft.defaultAction };
    put(defaultAction, 'notice', noticeOf(draft.defaultNotice));
    document.defaultAction = defaultAction;
    document.rules = rules;
    return document;
  });
}

/** The form fields of a draft, by error path, in the order they are shown. */
export function fieldPaths(draft: RecordingDraft): string[] {
  const paths = ['name', 'description', 'defaultAction.action', 'defaultAction.notice'];
  draft.rules.forEach((rule, i) => {
    const r = `rules[${i}]`;
    paths.push(r, `${r}.id`, `${r}.description`, `${r}.action`, `${r}.match`);
    for (const key of MATCH_KEYS) paths.push(`${r}.match.${key}`);
    paths.push(...windowPaths(`${r}.match.timeWindows`, rule.windows));
    paths.push(`${r}.notice`, `${r}.triggers`, `${r}.triggers.preEventMinutes`);
    paths.push(...triggerPaths(`${r}.triggers.events`, rule.triggers));
    paths.push(`${r}.capture`, `${r}.capture.frameRate`, `${r}.capture.quality`);
    paths.push(`${r}.capture.inputCapture`, `${r}.capture.excludedApplications`);
    paths.push(`${r}.retentionClass`);
  });
  return paths;
}
