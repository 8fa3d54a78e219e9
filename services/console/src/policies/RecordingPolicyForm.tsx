/**
 * The recording policy edited as a form (recording-form.ts): name, default action, and the
 * ordered rules, each added, removed and moved on its own. On publish the api's
 * `invalid_policy` errors are shown under the field each one names, and that field is
 * marked invalid; an error no field owns is listed at the end of the form.
 */
import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import { errorMessage, request } from '../api/client';
import type { FieldError } from './policy-fields';
import {
  DECISIONS,
  emptyRule,
  errorsByField,
  fieldPaths,
  fromDraft,
  JSON_FIELDS,
  MATCH_LISTS,
  moved,
  type NoticeDraft,
  type RecordingDraft,
  type RuleDraft,
  toDraft,
} from './recording-form';
import { fieldErrorsOf, FieldErrors } from './field-errors';

function idOf(path: string): string {
  return `p-${path.replace(/[^A-Za-z0-9]+/g, '-')}`;
}

interface FieldProps {
  path: string;
  label: string;
  errors: Map<string, FieldError[]>;
  hint?: string;
  children: (props: {
    id: string;
    'aria-invalid': true | undefined;
    'aria-describedby': string | undefined;
  }) => ReactNode;
}

/** A labelled control with its hint and the errors at its path, linked for screen readers. */
function Field({ path, label, errors, hint, children }: FieldProps) {
  const id = idOf(path);
  const errs = errors.get(path);
  const described = [hint ? `${id}-hint` : '', errs ? `${id}-errors` : ''].filter(Boolean);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        'aria-invalid': errs ? true : undefined,
        'aria-describedby': described.length ? described.join(' ') : undefined,
      })}
      {hint && (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      <FieldErrors errors={errs} id={`${id}-errors`} />
    </div>
  );
}

function NoticeFields({
  path,
  notice,
  errors,
  onChange,
}: {
  path: string;
  notice: NoticeDraft;
  errors: Map<string, FieldError[]>;
  onChange: (notice: NoticeDraft) => void;
}) {
  const id = idOf(path);
  const errs = errors.get(path);
  return (
    <div className="field notice-fields">
      <label className="checkbox">
        <input
          type="checkbox"
          checked={notice.show}
          aria-describedby={errs ? `${id}-errors` : undefined}
          onChange={(e) => onChange({ ...notice, show: e.target.checked })}
        />
        Show a notice to the user
      </label>
      <label htmlFor={id}>Notice text</label>
      <input
        id={id}
        value={notice.text}
        maxLength={2000}
        aria-invalid={errs ? true : undefined}
        aria-describedby={errs ? `${id}-errors` : undefined}
        onChange={(e) => onChange({ ...notice, text: e.target.value })}
      />
      <FieldErrors errors={errs} id={`${id}-errors`} />
    </div>
  );
}

function RuleFields({
  rule,
  index,
  count,
  errors,
  onChange,
  onMove,
  onRemove,
}: {
  rule: RuleDraft;
  index: number;
  count: number;
  errors: Map<string, FieldError[]>;
  onChange: (rule: RuleDraft) => void;
  onMove: (to: number) => void;
  onRemove: () => void;
}) {
  const p = `rules[${index}]`;
  const n = index + 1;
  const ruleErrors = [...(errors.get(p) ?? []), ...(errors.get(`${p}.match`) ?? [])];
  return (
    <fieldset className="rule" aria-invalid={ruleErrors.length ? true : undefined}>
      <legend>Rule {n}</legend>
      <div className="button-row rule-tools">
        <button
          type="button"
          className="secondary"
          aria-label={`Move rule ${n} up`}
          disabled={index === 0}
          onClick={() => onMove(index - 1)}
        >
          Up
        </button>
        <button
          type="button"
          className="secondary"
          aria-label={`Move rule ${n} down`}
          disabled={index === count - 1}
          onClick={() => onMove(index + 1)}
        >
          Down
        </button>
        <button type="button" className="danger" aria-label={`Remove rule ${n}`} onClick={onRemove}>
          Remove
        </button>
      </div>
      <div className="rule-grid">
        <Field path={`${p}.id`} label="Rule id" errors={errors}>
          {(a) => (
            <input
              {...a}
              value={rule.id}
              onChange={(e) => onChange({ ...rule, id: e.target.value })}
            />
          )}
        </Field>
        <Field path={`${p}.action`} label="Action" errors={errors}>
          {(a) => (
            <select
              {...a}
              value={rule.action}
              onChange={(e) => onChange({ ...rule, action: e.target.value })}
            >
              {DECISIONS.map((d) => (
                <option key={d} value={d}>
                  {d}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field path={`${p}.description`} label="Description" errors={errors}>
          {(a) => (
            <input
              {...a}
              value={rule.description}
              onChange={(e) => onChange({ ...rule, description: e.target.value })}
            />
          )}
        </Field>
        {MATCH_LISTS.map(({ key, label }) => (
          <Field
            key={key}
            path={`${p}.match.${key}`}
            label={label}
            errors={errors}
            hint={key === 'clientNetworks' ? 'e.g. 10.0.0.0/8' : 'comma-separated; * and ? match'}
          >
            {(a) => (
              <input
                {...a}
                value={rule.lists[key]}
                onChange={(e) =>
                  onChange({ ...rule, lists: { ...rule.lists, [key]: e.target.value } })
                }
              />
            )}
          </Field>
        ))}
        <Field path={`${p}.retentionClass`} label="Retention class" errors={errors}>
          {(a) => (
            <input
              {...a}
              value={rule.retentionClass}
              onChange={(e) => onChange({ ...rule, retentionClass: e.target.value })}
            />
          )}
        </Field>
        <NoticeFields
          path={`${p}.notice`}
          notice={rule.notice}
          errors={errors}
          onChange={(notice) => onChange({ ...rule, notice })}
        />
      </div>
      <details open={JSON_FIELDS.some((f) => rule.json[f.key] || errors.get(`${p}.${f.path}`))}>
        <summary>Time windows, event triggers, capture</summary>
        <div className="rule-grid">
          {JSON_FIELDS.map(({ key, path, label }) => (
            <Field key={key} path={`${p}.${path}`} label={label} errors={errors}>
              {(a) => (
                <textarea
                  {...a}
                  rows={Math.min(8, rule.json[key].split('\n').length + 1)}
                  value={rule.json[key]}
                  onChange={(e) =>
                    onChange({ ...rule, json: { ...rule.json, [key]: e.target.value } })
                  }
                />
              )}
            </Field>
          ))}
        </div>
      </details>
      <FieldErrors errors={ruleErrors.length ? ruleErrors : undefined} id={`${idOf(p)}-errors`} />
    </fieldset>
  );
}

export function RecordingPolicyForm({
  document,
  onPublished,
}: {
  document: Record<string, unknown>;
  onPublished: () => void;
}) {
  const [draft, setDraft] = useState<RecordingDraft>(() => toDraft(document));
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [status, setStatus] = useState<string | undefined>();
  const paths = fieldPaths(draft);
  const byField = errorsByField(errors, paths);
  const elsewhere = byField.get('');
  const formRef = useRef<HTMLFormElement>(null);
  // Keyboard and screen-reader users land on the first field that needs fixing.
  useEffect(() => {
    if (errors.length === 0) return;
    formRef.current
      ?.querySelector<HTMLElement>(
        'input[aria-invalid="true"], select[aria-invalid="true"], textarea[aria-invalid="true"]',
      )
      ?.focus();
  }, [errors]);

  function setRules(rules: RuleDraft[], structural: boolean) {
    setDraft({ ...draft, rules });
    // Paths name rules by position: after a move or removal the old errors point elsewhere.
    if (structural) setErrors([]);
  }

  async function publish(e: FormEvent) {
    e.preventDefault();
    setStatus(undefined);
    const built = fromDraft(draft);
    if ('errors' in built) {
      setErrors(built.errors);
      setStatus('Not published: fix the fields marked above.');
      return;
    }
    try {
      const reply = await request<{ version: number }>('/api/v1/policies/recording', {
        method: 'PUT',
        body: built.document,
      });
      setErrors([]);
      setStatus(`Published version ${reply.version}.`);
      onPublished();
    } catch (err) {
      const fields = fieldErrorsOf(err);
      setErrors(fields ?? []);
      setStatus(fields ? 'Not published: fix the fields marked above.' : errorMessage(err));
    }
  }

  return (
    <form
      ref={formRef}
      onSubmit={(e) => void publish(e)}
      className="policy-form"
      aria-label="Edit the recording policy"
      noValidate
    >
      <div className="rule-grid">
        <Field path="name" label="Policy name" errors={byField}>
          {(a) => (
            <input
              {...a}
              value={draft.name}
              onChange={(e) => setDraft({ ...draft, name: e.target.value })}
            />
          )}
        </Field>
        <Field path="description" label="Policy description" errors={byField}>
          {(a) => (
            <input
              {...a}
              value={draft.description}
              onChange={(e) => setDraft({ ...draft, description: e.target.value })}
            />
          )}
        </Field>
      </div>
      <fieldset>
        <legend>When no rule matches</legend>
        <div className="rule-grid">
          <Field path="defaultAction.action" label="Default action" errors={byField}>
            {(a) => (
              <select
                {...a}
                value={draft.defaultAction}
                onChange={(e) => setDraft({ ...draft, defaultAction: e.target.value })}
              >
                {DECISIONS.map((d) => (
                  <option key={d} value={d}>
                    {d}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <NoticeFields
            path="defaultAction.notice"
            notice={draft.defaultNotice}
            errors={byField}
            onChange={(defaultNotice) => setDraft({ ...draft, defaultNotice })}
          />
        </div>
      </fieldset>
      <h2>Rules</h2>
      <p className="muted">The first rule that matches a session decides; order matters.</p>
      {draft.rules.length === 0 && <p>No rules: every session gets the default action.</p>}
      {draft.rules.map((rule, i) => (
        <RuleFields
          key={rule.key}
          rule={rule}
          index={i}
          count={draft.rules.length}
          errors={byField}
          onChange={(r) =>
            setRules(
              draft.rules.map((x, j) => (j === i ? r : x)),
              false,
            )
          }
          onMove={(to) => setRules(moved(draft.rules, i, to), true)}
          onRemove={() =>
            setRules(
              draft.rules.filter((_, j) => j !== i),
              true,
            )
          }
        />
      ))}
      <div className="button-row">
        <button
          type="button"
          className="secondary"
          onClick={() => setRules([...draft.rules, emptyRule()], false)}
        >
          Add rule
        </button>
      </div>
      <FieldErrors errors={elsewhere} id="document-errors" />
      <div className="button-row">
        <button type="submit">Publish new version</button>
      </div>
      {status && <p role="status">{status}</p>}
    </form>
  );
}
