/**
 * The viewing policy edited as a form (viewing-form.ts): per rule who may watch (roles,
 * users, groups) and whose recordings. The api has no test route for viewing policies, so
 * there is no test panel here.
 */
import { useState } from 'react';
import {
  CheckboxGroup,
  Group,
  NameFields,
  PolicyFormShell,
  RuleIdFields,
  RuleList,
  TextField,
  usePolicyForm,
} from './form-parts';
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

export function ViewingPolicyForm({
  document,
  onPublished,
}: {
  document: Record<string, unknown>;
  onPublished: () => void;
}) {
  const [draft, setDraft] = useState<ViewingDraft>(() => toViewingDraft(document));
  const form = usePolicyForm('viewing', onPublished);
  return (
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
                      onChange={(v) => update({ ...rule, viewers: { ...rule.viewers, [key]: v } })}
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
  );
}
