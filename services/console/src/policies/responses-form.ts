/**
 * Response rules as a form: each rule matches events (type and attribute patterns) of
 * users, groups and hosts, inside time windows or outside allowed hours, optionally N
 * within a window of seconds, and leads to actions (notify by e-mail or webhook, lock,
 * disconnect, log off, block the transfer, start recording), throttled; a rule can be
 * disabled or end the evaluation (final).
 */
import {
  DraftErrors,
  emptyTrigger,
  type Keyed,
  list,
  listDrafts,
  listText,
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

export const RESPONSE_MATCH = ['users', 'groups', 'hosts'] as const;
type MatchKey = (typeof RESPONSE_MATCH)[number];

export const RESPONSE_ACTIONS = [
  { value: 'notify', label: 'notify (e-mail or webhook)' },
  { value: 'lock', label: 'lock the session' },
  { value: 'disconnect', label: 'disconnect' },
  { value: 'logoff', label: 'log off' },
  { value: 'block-transfer', label: 'block the transfer' },
  { value: 'start-recording', label: 'start recording' },
] as const;

export interface ActionDraft extends Keyed {
  action: string;
  channel: string;
  recipients: string;
  webhook: string;
  message: string;
  reason: string;
  extra: Obj;
}

export interface ResponseRuleDraft extends Keyed {
  id: string;
  description: string;
  /** Unchecked: kept but never fires. */
  enabled: boolean;
  final: boolean;
  events: TriggerDraft[];
  lists: Record<MatchKey, string>;
  timeWindows: WindowDraft[];
  outsideHours: WindowDraft[];
  count: string;
  windowSeconds: string;
  per: string;
  actions: ActionDraft[];
  throttleSeconds: string;
  /** Whether `enabled` / `final` were written in the document (kept as they were). */
  written: { enabled: boolean; final: boolean };
  extra: Obj;
  extraMatch: Obj;
  extraCondition: Obj;
}

export interface ResponsesDraft {
  name: string;
  description: string;
  rules: ResponseRuleDraft[];
  extra: Obj;
}

export function emptyAction(action = 'notify'): ActionDraft {
  return {
    key: newKey(),
    action,
    channel: 'email',
    recipients: '',
    webhook: '',
    message: '',
    reason: '',
    extra: {},
  };
}

export function emptyResponseRule(): ResponseRuleDraft {
  return {
    key: newKey(),
    id: '',
    description: '',
    enabled: true,
    final: false,
    events: [emptyTrigger()],
    lists: { users: '', groups: '', hosts: '' },
    timeWindows: [],
    outsideHours: [],
    count: '',
    windowSeconds: '',
    per: '',
    actions: [emptyAction()],
    throttleSeconds: '',
    written: { enabled: false, final: false },
    extra: {},
    extraMatch: {},
    extraCondition: {},
  };
}

const ACTION_FIELDS = ['action', 'channel', 'recipients', 'webhook', 'message', 'reason'];

function actionDraft(value: unknown): ActionDraft {
  const a = obj(value);
  return {
    key: newKey(),
    action: str(a.action),
    channel: str(a.channel) || 'email',
    recipients: listText(a.recipients),
    webhook: str(a.webhook),
    message: str(a.message),
    reason: str(a.reason),
    extra: without(a, ACTION_FIELDS),
  };
}

/** Only the fields of the chosen action (a notify's recipients are not a lock's). */
function actionValue(a: ActionDraft): Obj {
  const out: Obj = { ...a.extra, action: a.action };
  if (a.action === 'notify') {
    out.channel = a.channel;
    if (a.channel === 'email') put(out, 'recipients', list(a.recipients));
    if (a.channel === 'webhook') put(out, 'webhook', text(a.webhook));
    put(out, 'message', text(a.message));
  } else if (a.action === 'start-recording') {
    put(out, 'reason', text(a.reason));
  } else {
    put(out, 'message', text(a.message));
  }
  return out;
}

function ruleDraft(value: unknown): ResponseRuleDraft {
  const r = obj(value);
  const match = obj(r.match);
  const condition = obj(r.condition);
  return {
    ...emptyResponseRule(),
    id: str(r.id),
    description: str(r.description),
    enabled: r.enabled !== false,
    final: r.final === true,
    events: triggerDrafts(match.events),
    lists: listDrafts(match, RESPONSE_MATCH),
    timeWindows: windowDrafts(match.timeWindows),
    outsideHours: windowDrafts(match.outsideHours),
    count: numberText(condition.count),
    windowSeconds: numberText(condition.windowSeconds),
    per: str(condition.per),
    actions: Array.isArray(r.actions) ? r.actions.map(actionDraft) : [],
    throttleSeconds: numberText(r.throttleSeconds),
    written: { enabled: 'enabled' in r, final: 'final' in r },
    extra: without(r, [
      'id',
      'description',
      'enabled',
      'final',
      'match',
      'condition',
      'actions',
      'throttleSeconds',
    ]),
    extraMatch: without(match, [...RESPONSE_MATCH, 'events', 'timeWindows', 'outsideHours']),
    extraCondition: without(condition, ['count', 'windowSeconds', 'per']),
  };
}

export function toResponsesDraft(document: Obj): ResponsesDraft {
  return {
    name: str(document.name),
    description: str(document.description),
    rules: Array.isArray(document.rules) ? document.rules.map(ruleDraft) : [],
    extra: without(document, ['name', 'description', 'rules']),
  };
}

export function fromResponsesDraft(
  draft: ResponsesDraft,
): { document: Obj } | { errors: FieldError[] } {
  const errors = new DraftErrors();
  return errors.result(() => {
    const document: Obj = { ...draft.extra, name: draft.name.trim() };
    put(document, 'description', text(draft.description));
    document.rules = draft.rules.map((rule, i) => {
      const p = `rules[${i}]`;
      const match: Obj = {
        ...rule.extraMatch,
        events: triggersValue(`${p}.match.events`, rule.events, errors),
      };
      putLists(match, rule.lists, RESPONSE_MATCH);
      put(match, 'timeWindows', windowsValue(rule.timeWindows));
      put(match, 'outsideHours', windowsValue(rule.outsideHours));
      const condition: Obj = { ...rule.extraCondition };
      put(condition, 'count', numberValue(rule.count));
      put(condition, 'windowSeconds', numberValue(rule.windowSeconds));
      put(condition, 'per', text(rule.per));
      const out: Obj = { ...rule.extra, id: rule.id.trim() };
      put(out, 'description', text(rule.description));
      if (!rule.enabled || rule.written.enabled) out.enabled = rule.enabled;
      out.match = match;
      // A window or "per" without a count means "count 1" to a reader: say so.
      if (Object.keys(condition).length > 0) out.condition = { count: 1, ...condition };
      out.actions = rule.actions.map(actionValue);
      put(out, 'throttleSeconds', numberValue(rule.throttleSeconds));
      if (rule.final || rule.written.final) out.final = rule.final;
      return out;
    });
    return document;
  });
}

/** The form fields of a draft, by error path. */
export function responsesFieldPaths(draft: ResponsesDraft): string[] {
  const paths = ['name', 'description'];
  draft.rules.forEach((rule, i) => {
    const r = `rules[${i}]`;
    paths.push(r, `${r}.id`, `${r}.description`, `${r}.enabled`, `${r}.final`, `${r}.match`);
    paths.push(...triggerPaths(`${r}.match.events`, rule.events));
    for (const k of RESPONSE_MATCH) paths.push(`${r}.match.${k}`);
    paths.push(...windowPaths(`${r}.match.timeWindows`, rule.timeWindows));
    paths.push(...windowPaths(`${r}.match.outsideHours`, rule.outsideHours));
    paths.push(`${r}.condition`, `${r}.condition.count`, `${r}.condition.windowSeconds`);
    paths.push(`${r}.condition.per`, `${r}.actions`, `${r}.throttleSeconds`);
    rule.actions.forEach((_, j) => {
      const a = `${r}.actions[${j}]`;
      paths.push(a, `${a}.action`, `${a}.channel`, `${a}.recipients`, `${a}.webhook`);
      paths.push(`${a}.message`, `${a}.reason`);
    });
  });
  return paths;
}
