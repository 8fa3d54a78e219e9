/**
 * The viewing policy as a form: each rule names who may watch (roles, user and group
 * patterns: at least one) and whose recordings (users, groups, hosts, applications; none
 * given means every recording). An allow-list: a person sees a session only when some
 * rule names them and covers it.
 */
import {
  DraftErrors,
  type Keyed,
  listDrafts,
  newKey,
  type Obj,
  obj,
  put,
  putLists,
  str,
  strings,
  text,
  without,
} from './form-model';
import type { FieldError } from './policy-fields';

/** The roles a person can hold (as in libs/contracts' viewing policy). */
export const PERSON_ROLES = ['admin', 'policy-admin', 'investigator', 'helpdesk', 'auditor'];

export const VIEWER_LISTS = [
  { key: 'users', label: 'Viewer users' },
  { key: 'groups', label: 'Viewer groups' },
] as const;
export const SUBJECT_LISTS = [
  { key: 'users', label: 'Users recorded' },
  { key: 'groups', label: 'Groups recorded' },
  { key: 'hosts', label: 'Hosts' },
  { key: 'applications', label: 'Applications' },
] as const;
type ViewerKey = (typeof VIEWER_LISTS)[number]['key'];
type SubjectKey = (typeof SUBJECT_LISTS)[number]['key'];
const VIEWER_KEYS = VIEWER_LISTS.map((l) => l.key);
const SUBJECT_KEYS = SUBJECT_LISTS.map((l) => l.key);

export interface ViewingRuleDraft extends Keyed {
  id: string;
  description: string;
  roles: string[];
  viewers: Record<ViewerKey, string>;
  recordings: Record<SubjectKey, string>;
  extra: Obj;
  extraViewers: Obj;
  extraRecordings: Obj;
}

export interface ViewingDraft {
  name: string;
  description: string;
  rules: ViewingRuleDraft[];
  extra: Obj;
}

export function emptyViewingRule(): ViewingRuleDraft {
  return {
    key: newKey(),
    id: '',
    description: '',
    roles: [],
    viewers: { users: '', groups: '' },
    recordings: { users: '', groups: '', hosts: '', applications: '' },
    extra: {},
    extraViewers: {},
    extraRecordings: {},
  };
}

function ruleDraft(value: unknown): ViewingRuleDraft {
  const r = obj(value);
  const viewers = obj(r.viewers);
  const recordings = obj(r.recordings);
  return {
    key: newKey(),
    id: str(r.id),
    description: str(r.description),
    roles: strings(viewers.roles),
    viewers: listDrafts(viewers, VIEWER_KEYS),
    recordings: listDrafts(recordings, SUBJECT_KEYS),
    extra: without(r, ['id', 'description', 'viewers', 'recordings']),
    extraViewers: without(viewers, ['roles', ...VIEWER_KEYS]),
    extraRecordings: without(recordings, SUBJECT_KEYS),
  };
}

export function toViewingDraft(document: Obj): ViewingDraft {
  return {
    name: str(document.name),
    description: str(document.description),
    rules: Array.isArray(document.rules) ? document.rules.map(ruleDraft) : [],
    extra: without(document, ['name', 'description', 'rules']),
  };
}

export function fromViewingDraft(
  draft: ViewingDraft,
): { document: Obj } | { errors: FieldError[] } {
  const errors = new DraftErrors();
  return errors.result(() => {
    const document: Obj = { ...draft.extra, name: draft.name.trim() };
    put(document, 'description', text(draft.description));
    document.rules = draft.rules.map((rule) => {
      const viewers: Obj = { ...rule.extraViewers };
      if (rule.roles.length > 0) {
        viewers.roles = PERSON_ROLES.filter((role) => rule.roles.includes(role)).concat(
          rule.roles.filter((role) => !PERSON_ROLES.includes(role)),
        );
      }
      putLists(viewers, rule.viewers, VIEWER_KEYS);
      const recordings: Obj = { ...rule.extraRecordings };
      putLists(recordings, rule.recordings, SUBJECT_KEYS);
      const out: Obj = { ...rule.extra, id: rule.id.trim() };
      put(out, 'description', text(rule.description));
      out.viewers = viewers;
      out.recordings = recordings;
      return out;
    });
    return document;
  });
}

/** The form fields of a draft, by error path. */
export function viewingFieldPaths(draft: ViewingDraft): string[] {
  const paths = ['name', 'description'];
  draft.rules.forEach((_, i) => {
    const r = `rules[${i}]`;
    paths.push(r, `${r}.id`, `${r}.description`, `${r}.viewers`, `${r}.viewers.roles`);
    for (const k of VIEWER_KEYS) paths.push(`${r}.viewers.${k}`);
    paths.push(`${r}.recordings`);
    for (const k of SUBJECT_KEYS) paths.push(`${r}.recordings.${k}`);
  });
  return paths;
}
