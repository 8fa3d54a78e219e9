/**
 * Policies: each kind with its active version, edited in its form and published as a new
 * version with the api's errors shown under the field they name (rules added, removed and
 * reordered, each with its fields). The recording and detection policies are tested against
 * a sample session, the response rules against a sample event; every kind can also be
 * edited as JSON, section by section (the advanced editor).
 */
import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { ApiRequestError, errorMessage, request } from '../api/client';
import {
  errorsBySection,
  fromSections,
  type Sections,
  sectionOf,
  toSections,
} from './policy-fields';
import { DetectionPolicyForm } from './DetectionPolicyForm';
import { FieldErrors } from './field-errors';
import {
  groupsOf,
  PlainField,
  type SampleSession,
  SampleSessionFields,
  TestPanel,
  usePolicyForm,
} from './form-parts';
import { RecordingPolicyForm } from './RecordingPolicyForm';
import { ResponseRulesForm } from './ResponseRulesForm';
import { ViewingPolicyForm } from './ViewingPolicyForm';

const KINDS = [
  { kind: 'recording', title: 'Recording' },
  { kind: 'detection', title: 'Detection' },
  { kind: 'responses', title: 'Response rules' },
  { kind: 'viewing', title: 'Viewing' },
] as const;
type Kind = (typeof KINDS)[number]['kind'];

/** What a kind's editor starts from before its first version (the fields it requires). */
const STARTERS: Record<Kind, Record<string, unknown>> = {
  recording: { name: '', defaultAction: { action: 'do-not-record' }, rules: [] },
  detection: { name: '', defaults: { events: [] }, rules: [] },
  responses: { name: '', rules: [] },
  viewing: { name: '', rules: [] },
};

interface Active {
  version: number;
  createdBy?: string;
  createdAt?: string;
  document: Record<string, unknown>;
}

interface Loaded {
  kind: Kind;
  active?: Active;
  error?: string;
}

function Editor({
  kind,
  active,
  onPublished,
}: {
  kind: Kind;
  active: Active | undefined;
  onPublished: () => void;
}) {
  const [sections, setSections] = useState<Sections>(() =>
    toSections(active?.document ?? STARTERS[kind]),
  );
  const { errors, status, publish } = usePolicyForm(kind, onPublished);
  const bySection = errorsBySection(errors);
  // Errors about fields the editor has no section for (a missing defaultAction) go last.
  const shown = new Set(
    sections.flatMap((s) => [s.key, ...(s.items ?? []).map((_, j) => `${s.key}[${j}]`)]),
  );
  const elsewhere = errors.filter((e) => !shown.has(sectionOf(e.path)));

  function update(index: number, item: number | undefined, text: string) {
    setSections(
      sections.map((s, i) =>
        i !== index
          ? s
          : item === undefined
            ? { ...s, text }
            : { ...s, items: s.items?.map((t, j) => (j === item ? text : t)) },
      ),
    );
  }

  return (
    <form
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        void publish(fromSections(sections));
      }}
      className="policy-editor"
      aria-label={`Edit the ${kind} policy`}
    >
      {sections.map((s, i) =>
        s.items ? (
          <fieldset key={s.key}>
            <legend>{s.key}</legend>
            {s.items.map((text, j) => {
              const id = `${s.key}-${j}`;
              const errs = bySection.get(`${s.key}[${j}]`);
              return (
                <div className="field" key={id}>
                  <label htmlFor={id}>
                    {s.key}[{j}]
                  </label>
                  <textarea
                    id={id}
                    rows={Math.min(16, text.split('\n').length + 1)}
                    value={text}
                    aria-invalid={errs ? true : undefined}
                    aria-describedby={errs ? `${id}-errors` : undefined}
                    onChange={(e) => update(i, j, e.target.value)}
                  />
                  <FieldErrors errors={errs} id={`${id}-errors`} />
                </div>
              );
            })}
            <button
              type="button"
              className="secondary"
              onClick={() =>
                setSections(
                  sections.map((x, k) =>
                    k === i ? { ...x, items: [...(x.items ?? []), '{}'] } : x,
                  ),
                )
              }
            >
              Add {s.key} entry
            </button>
            <FieldErrors errors={bySection.get(s.key)} id={`${s.key}-errors`} />
          </fieldset>
        ) : (
          <div className="field" key={s.key}>
            <label htmlFor={`f-${s.key}`}>{s.key}</label>
            <textarea
              id={`f-${s.key}`}
              rows={Math.min(8, s.text.split('\n').length + 1)}
              value={s.text}
              aria-invalid={bySection.get(s.key) ? true : undefined}
              aria-describedby={bySection.get(s.key) ? `f-${s.key}-errors` : undefined}
              onChange={(e) => update(i, undefined, e.target.value)}
            />
            <FieldErrors errors={bySection.get(s.key)} id={`f-${s.key}-errors`} />
          </div>
        ),
      )}
      <FieldErrors errors={elsewhere} id="document-errors" />
      <button type="submit">Publish new version</button>
      {status && <p role="status">{status}</p>}
    </form>
  );
}

function RecordingTest() {
  const [sample, setSample] = useState<SampleSession>({ user: 'alice', groups: '', host: 'ws-01' });
  const [more, setMore] = useState({ protocol: 'desktop', application: '', clientAddress: '' });
  const [result, setResult] = useState<ReactNode>();

  async function run() {
    try {
      const reply = await request<{
        recorded: boolean;
        decision: string;
        ruleId: string;
        explanation?: unknown;
      }>('/api/v1/policies/recording/test', {
        method: 'POST',
        body: {
          v: 1,
          sessionId: crypto.randomUUID(),
          agentId: crypto.randomUUID(),
          user: sample.user,
          groups: groupsOf(sample.groups),
          host: sample.host,
          protocol: more.protocol,
          ...(more.application ? { application: more.application } : {}),
          ...(more.clientAddress ? { clientAddress: more.clientAddress } : {}),
          at: new Date().toISOString(),
        },
      });
      setResult(
        `${reply.recorded ? 'Recorded' : 'Not recorded'}: ${reply.decision} by rule ${reply.ruleId}`,
      );
    } catch (err) {
      setResult(errorMessage(err));
    }
  }

  const input = (name: 'application' | 'clientAddress', label: string) => (
    <PlainField
      id={`t-${name}`}
      label={label}
      value={more[name]}
      onChange={(v) => setMore({ ...more, [name]: v })}
    />
  );
  return (
    <TestPanel
      title="Test against a sample session (the published policy, now)"
      onTest={() => void run()}
      result={result}
    >
      <SampleSessionFields value={sample} onChange={setSample} />
      <div className="field">
        <label htmlFor="t-protocol">Kind</label>
        <select
          id="t-protocol"
          value={more.protocol}
          onChange={(e) => setMore({ ...more, protocol: e.target.value })}
        >
          <option value="desktop">desktop</option>
          <option value="terminal">terminal</option>
        </select>
      </div>
      {input('application', 'Application')}
      {input('clientAddress', 'Client address')}
    </TestPanel>
  );
}

const FORMS: Record<
  Kind,
  (props: { document: Record<string, unknown>; onPublished: () => void }) => ReactNode
> = {
  recording: RecordingPolicyForm,
  detection: DetectionPolicyForm,
  responses: ResponseRulesForm,
  viewing: ViewingPolicyForm,
};

export function PoliciesPage() {
  const [params, setParams] = useSearchParams();
  const kind = KINDS.find((k) => k.kind === params.get('kind'))?.kind ?? 'recording';
  const [loaded, setLoaded] = useState<Loaded | undefined>();
  const [version, setVersion] = useState(0);
  // Every kind opens in its form; JSON is the advanced option.
  const [asJson, setAsJson] = useState(false);

  useEffect(() => {
    let alive = true;
    request<Active>(`/api/v1/policies/${kind}`).then(
      (active) => alive && setLoaded({ kind, active }),
      (err: unknown) =>
        alive &&
        setLoaded(
          err instanceof ApiRequestError && err.status === 404
            ? { kind }
            : { kind, error: errorMessage(err) },
        ),
    );
    return () => {
      alive = false;
    };
  }, [kind, version]);

  const current = loaded?.kind === kind ? loaded : undefined;
  const Form = FORMS[kind];
  return (
    <main className="policies-page">
      <h1>Policies</h1>
      <nav aria-label="Policy kinds" className="button-row">
        {KINDS.map((k) => (
          <button
            key={k.kind}
            type="button"
            className="secondary"
            aria-pressed={k.kind === kind}
            onClick={() => setParams({ kind: k.kind })}
          >
            {k.title}
          </button>
        ))}
      </nav>
      {!current && <p>Loading…</p>}
      {current?.error && (
        <p role="alert" className="error">
          {current.error}
        </p>
      )}
      {current && !current.error && (
        <>
          <p className="muted">
            {current.active
              ? `Active: version ${current.active.version}${current.active.createdBy ? ` by ${current.active.createdBy}` : ''}`
              : 'No version published yet.'}
          </p>
          <p>
            <button
              type="button"
              className="link"
              aria-pressed={asJson}
              onClick={() => setAsJson(!asJson)}
            >
              {asJson ? 'Edit with the form' : 'Edit as JSON (advanced)'}
            </button>
          </p>
          {asJson ? (
            <Editor
              key={`${kind}-${current.active?.version ?? 0}`}
              kind={kind}
              active={current.active}
              onPublished={() => setVersion((v) => v + 1)}
            />
          ) : (
            <Form
              key={`form-${kind}-${current.active?.version ?? 0}`}
              document={current.active?.document ?? STARTERS[kind]}
              onPublished={() => setVersion((v) => v + 1)}
            />
          )}
          {kind === 'recording' && <RecordingTest />}
        </>
      )}
    </main>
  );
}
