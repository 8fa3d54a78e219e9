/**
 * The viewing policy edited as a form (viewing-form.ts): per rule who may watch (roles,
 * users, groups) and whose recordings. "Test" asks the api whether a sample viewer may
 * watch recordings of a sample session with the form as it is (unpublished): the draft's
 * errors are shown at the policy's fields, the sample's at the panel's.
 */
import { type ReactNode, useState } from 'react';
import { request } from '../api/client';
import { sampleErrorsOf } from './field-errors';
import {
  CheckboxGroup,
  Group,
  groupsOf,
  NameFields,
  PolicyFormShell,
  RuleIdFields,
  RuleList,
  TestPanel,
  TextField,
  usePolicyForm,
} from './form-parts';
import type { FieldError } from './policy-fields';
import {
  emptyViewingRule,
  fromViewingDraft,
  PERSON_ROLES,
  SUBJECT_LISTS,
  toViewingDraft,
  VIEWER_LISTS,
  type ViewingDraft,
  viewingFieldPaths,
} from './viewing-form';

interface ViewingTestReply {
  allowed: boolean;
  ruleId?: string;
  explanation: string;
}

interface ViewingSample {
  viewerUser: string;
  viewerRoles: string[];
  viewerGroups: string;
  user: string;
  groups: string;
  host: string;
  applications: string;
}

/** The sample's fields, by the paths the test route names them with. */
const SAMPLE_PATHS = [
  'viewer',
  'viewer.user',
  'viewer.roles',
  'viewer.groups',
  'session',
  'session.user',
  'session.groups',
  'session.host',
  'session.applications',
];

function describe(r: ViewingTestReply): ReactNode {
  return (
    <>
      <p>
        <strong>{r.allowed ? 'Allowed' : 'Denied'}</strong>
        {r.ruleId ? ` by rule ${r.ruleId}` : ''}: this viewer {r.allowed ? 'may' : 'may not'} watch
        recordings of this session.
      </p>
      <p className="muted">{r.explanation}</p>
    </>
  );
}

/** Who would watch (roles, user, groups) and the session watched (user, groups, host, apps). */
function ViewingSampleFields({
  value,
  onChange,
}: {
  value: ViewingSample;
  onChange: (value: ViewingSample) => void;
}) {
  const text = (
    path: string,
    name: Exclude<keyof ViewingSample, 'viewerRoles'>,
    label: string,
    hint?: string,
  ) => (
    <TextField
      path={path}
      label={label}
      {...(hint ? { hint } : {})}
      value={value[name]}
      onChange={(v) => onChange({ ...value, [name]: v })}
    />
  );
  return (
    <>
      <fieldset className="sample-group">
        <legend>Who would watch</legend>
        <CheckboxGroup
          path="viewer.roles"
          legend="Viewer roles"
          options={PERSON_ROLES}
          selected={value.viewerRoles}
          onChange={(viewerRoles) => onChange({ ...value, viewerRoles })}
          className="compact"
        />
        <div className="rule-grid">
          {text('viewer.user', 'viewerUser', 'Viewer user', 'optional')}
          {text('viewer.groups', 'viewerGroups', 'Viewer groups', 'comma-separated')}
        </div>
      </fieldset>
      <fieldset className="sample-group">
        <legend>The session watched</legend>
        <div className="rule-grid">
          {text('session.user', 'user', 'User recorded')}
          {text('session.groups', 'groups', 'Groups recorded', 'comma-separated')}
          {text('session.host', 'host', 'Host')}
          {text('session.applications', 'applications', 'Applications used', 'comma-separated')}
        </div>
      </fieldset>
    </>
  );
}

export function ViewingPolicyForm({
  document,
  onPublished,
}: {
  document: Record<string, unknown>;
  onPublished: () => void;
}) {
  const [draft, setDraft] = useState<ViewingDraft>(() => toViewingDraft(document));
  const form = usePolicyForm('viewing', onPublished);
  const [sample, setSample] = useState<ViewingSample>({
    viewerUser: '',
    viewerRoles: ['helpdesk'],
    viewerGroups: '',
    user: 'alice',
    groups: '',
    host: 'ws-01',
    applications: '',
  });
  const [sampleErrors, setSampleErrors] = useState<FieldError[]>([]);
  const [result, setResult] = useState<ReactNode>();

  async function ask(document: unknown): Promise<ViewingTestReply> {
    const user = sample.viewerUser.trim();
    const applications = groupsOf(sample.applications);
    try {
      return await request<ViewingTestReply>('/api/v1/policies/viewing/test', {
        method: 'POST',
        body: {
          viewer: {
            ...(user ? { user } : {}),
            roles: sample.viewerRoles,
            groups: groupsOf(sample.viewerGroups),
          },
          session: {
            user: sample.user.trim(),
            groups: groupsOf(sample.groups),
            host: sample.host.trim(),
            ...(applications.length ? { applications } : {}),
          },
          document,
        },
      });
    } catch (err) {
      setSampleErrors(sampleErrorsOf(err));
      throw err;
    }
  }

  async function test() {
    setResult(undefined);
    setSampleErrors([]);
    setResult(await form.test(fromViewingDraft(draft), ask, describe));
  }

  return (
    <>
      <PolicyFormShell
        label="Edit the viewing policy"
        errors={form.errors}
        paths={viewingFieldPaths(draft)}
        status={form.status}
        onSubmit={() => void form.publish(fromViewingDraft(draft))}
      >
        <NameFields
          name={draft.name}
          description={draft.description}
          onChange={(fields) => setDraft({ ...draft, ...fields })}
        />
        <p className="muted">
          A person sees a recording only when a rule names them as a viewer and covers it.
        </p>
        <RuleList
          rules={draft.rules}
          create={emptyViewingRule}
          onChange={(rules) => setDraft({ ...draft, rules })}
          onClearErrors={() => form.setErrors([])}
        >
          {(rule, i, update) => {
            const p = `rules[${i}]`;
            return (
              <>
                <div className="rule-grid">
                  <RuleIdFields path={p} rule={rule} update={update} />
                </div>
                <Group
                  path={`${p}.viewers`}
                  legend="Who may watch"
                  hint="At least one of roles, users or groups."
                >
                  <CheckboxGroup
                    path={`${p}.viewers.roles`}
                    legend="Roles"
                    options={PERSON_ROLES}
                    selected={rule.roles}
                    onChange={(roles) => update({ ...rule, roles })}
                    className="compact"
                  />
                  <div className="rule-grid">
                    {VIEWER_LISTS.map(({ key, label }) => (
                      <TextField
                        key={key}
                        path={`${p}.viewers.${key}`}
                        label={label}
                        hint="comma-separated; * and ? match"
                        value={rule.viewers[key]}
                        onChange={(v) =>
                          update({ ...rule, viewers: { ...rule.viewers, [key]: v } })
                        }
                      />
                    ))}
                  </div>
                </Group>
                <Group
                  path={`${p}.recordings`}
                  legend="Whose recordings"
                  hint="Every field given must match; none given: every recording."
                >
                  <div className="rule-grid">
                    {SUBJECT_LISTS.map(({ key, label }) => (
                      <TextField
                        key={key}
                        path={`${p}.recordings.${key}`}
                        label={label}
                        hint="comma-separated; * and ? match"
                        value={rule.recordings[key]}
                        onChange={(v) =>
                          update({ ...rule, recordings: { ...rule.recordings, [key]: v } })
                        }
                      />
                    ))}
                  </div>
                </Group>
              </>
            );
          }}
        </RuleList>
      </PolicyFormShell>
      <TestPanel
        title="Test against a sample session (this form, unpublished)"
        onTest={() => void test()}
        result={result}
        errors={sampleErrors}
        paths={SAMPLE_PATHS}
      >
        <ViewingSampleFields value={sample} onChange={setSample} />
      </TestPanel>
    </>
  );
}
