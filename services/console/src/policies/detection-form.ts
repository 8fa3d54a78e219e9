/**
 * The detection policy as a form: which event types hosts report by default and with which
 * options (removable and network mount points, idle threshold, command lines and window
 * titles captured or not), and ordered rules scoping other settings to users, groups and
 * hosts (a rule's event list replaces the default one; its options are laid over the
 * defaults, field by field, so an option left unset there inherits).
 */
import { EVENT_TYPE_NAMES } from '../../../../libs/contracts/src/event-types';
import {
  type Choice,
  choiceOf,
  choiceValue,
  DraftErrors,
  type Keyed,
  listDrafts,
  listText,
  newKey,
  numberText,
  numberValue,
  type Obj,
  obj,
  put,
  putLists,
  list,
  str,
  strings,
  text,
  without,
} from './form-model';
import type { FieldError } from './policy-fields';

export const DETECTION_MATCH = ['users', 'groups', 'hosts'] as const;
type MatchKey = (typeof DETECTION_MATCH)[number];

export interface OptionsDraft {
  removableMountPoints: string;
  networkMountPoints: string;
  idleThresholdSeconds: string;
  captureCommandLines: Choice;
  captureWindowTitles: Choice;
  extra: Obj;
}

export interface DetectionRuleDraft extends Keyed {
  id: string;
  description: string;
  lists: Record<MatchKey, string>;
  /** The rule has its own event list (replacing the default one). */
  ownEvents: boolean;
  events: string[];
  options: OptionsDraft;
  extra: Obj;
  extraMatch: Obj;
}

export interface DetectionDraft {
  name: string;
  description: string;
  events: string[];
  options: OptionsDraft;
  rules: DetectionRuleDraft[];
  extra: Obj;
  extraDefaults: Obj;
}

const OPTION_KEYS = [
  'removableMountPoints',
  'networkMountPoints',
  'idleThresholdSeconds',
  'captureCommandLines',
  'captureWindowTitles',
] as const;

function optionsDraft(value: unknown): OptionsDraft {
  const o = obj(value);
  return {
    removableMountPoints: listText(o.removableMountPoints),
    networkMountPoints: listText(o.networkMountPoints),
    idleThresholdSeconds: numberText(o.idleThresholdSeconds),
    captureCommandLines: choiceOf(o.captureCommandLines),
    captureWindowTitles: choiceOf(o.captureWindowTitles),
    extra: without(o, OPTION_KEYS),
  };
}

function optionsValue(o: OptionsDraft): Obj | undefined {
  const out: Obj = { ...o.extra };
  put(out, 'removableMountPoints', list(o.removableMountPoints));
  put(out, 'networkMountPoints', list(o.networkMountPoints));
  put(out, 'idleThresholdSeconds', numberValue(o.idleThresholdSeconds));
  put(out, 'captureCommandLines', choiceValue(o.captureCommandLines));
  put(out, 'captureWindowTitles', choiceValue(o.captureWindowTitles));
  return Object.keys(out).length > 0 ? out : undefined;
}

export function emptyDetectionRule(): DetectionRuleDraft {
  return {
    key: newKey(),
    id: '',
    description: '',
    lists: { users: '', groups: '', hosts: '' },
    ownEvents: false,
    events: [],
    options: optionsDraft(undefined),
    extra: {},
    extraMatch: {},
  };
}

function ruleDraft(value: unknown): DetectionRuleDraft {
  const r = obj(value);
  const match = obj(r.match);
  return {
    ...emptyDetectionRule(),
    id: str(r.id),
    description: str(r.description),
    lists: listDrafts(match, DETECTION_MATCH),
    ownEvents: Array.isArray(r.events),
    events: strings(r.events),
    options: optionsDraft(r.options),
    extra: without(r, ['id', 'description', 'match', 'events', 'options']),
    extraMatch: without(match, DETECTION_MATCH),
  };
}

export function toDetectionDraft(document: Obj): DetectionDraft {
  const defaults = obj(document.defaults);
  return {
    name: str(document.name),
    description: str(document.description),
    events: strings(defaults.events),
    options: optionsDraft(defaults.options),
    rules: Array.isArray(document.rules) ? document.rules.map(ruleDraft) : [],
    extra: without(document, ['name', 'description', 'defaults', 'rules']),
    extraDefaults: without(defaults, ['events', 'options']),
  };
}

/** Event types in the order the form lists them (the document's order does not matter). */
function ordered(events: readonly string[]): string[] {
  const all: readonly string[] = EVENT_TYPE_NAMES;
  return [...all.filter((e) => events.includes(e)), ...events.filter((e) => !all.includes(e))];
}

export function fromDetectionDraft(
  draft: DetectionDraft,
): { document: Obj } | { errors: FieldError[] } {
  const errors = new DraftErrors();
  return errors.result(() => {
    const defaults: Obj = { ...draft.extraDefaults, events: ordered(draft.events) };
    put(defaults, 'options', optionsValue(draft.options));
    const document: Obj = { ...draft.extra, name: draft.name.trim() };
    put(document, 'description', text(draft.description));
    document.defaults = defaults;
    document.rules = draft.rules.map((rule) => {
      const match: Obj = { ...rule.extraMatch };
      putLists(match, rule.lists, DETECTION_MATCH);
      const out: Obj = { ...rule.extra, id: rule.id.trim() };
      put(out, 'description', text(rule.description));
      out.match = match;
      if (rule.ownEvents) out.events = ordered(rule.events);
      put(out, 'options', optionsValue(rule.options));
      return out;
    });
    return document;
  });
}

function optionPaths(path: string): string[] {
  return [path, ...OPTION_KEYS.map((k) => `${path}.${k}`)];
}

/** The form fields of a draft, by error path. */
export function detectionFieldPaths(draft: DetectionDraft): string[] {
  const paths = [
    'name',
    'description',
    'defaults',
    'defaults.events',
    ...optionPaths('defaults.options'),
  ];
  draft.rules.forEach((_, i) => {
    const r = `rules[${i}]`;
    paths.push(r, `${r}.id`, `${r}.description`, `${r}.match`, `${r}.events`);
    for (const k of DETECTION_MATCH) paths.push(`${r}.match.${k}`);
    paths.push(...optionPaths(`${r}.options`));
  });
  return paths;
}
