/**
 * Response rules edited as a form (responses-form.ts): per rule the events that match it,
 * who and when, how many within which window, the actions and their throttle. "Test" asks
 * the api which rules a sample event matches with the form as it is (unpublished); its
 * errors are shown at the fields like a publish's.
 */
import { type ReactNode, useState } from 'react';
import { EVENT_TYPE_NAMES } from '../../../../libs/contracts/src/event-types';
import { request } from '../api/client';
import {
  CheckboxField,
  EventTriggersField,
  groupsOf,
  NestedList,
  PlainField,
  NameFields,
  PolicyFormShell,
  RuleIdFields,
  RuleList,
  type SampleSession,
  SampleSessionFields,
  SelectField,
  TestPanel,
  TextField,
  TimeWindowsField,
  usePolicyForm,
} from './form-parts';
import { splitList } from './form-model';
import {
  type ActionDraft,
  emptyAction,
  emptyResponseRule,
  fromResponsesDraft,
  RESPONSE_ACTIONS,
  RESPONSE_MATCH,
  responsesFieldPaths,
  type ResponsesDraft,
  toResponsesDraft,
} from './responses-form';

const LIST_LABELS = { users: 'Users', groups: 'Groups', hosts: 'Hosts' } as const;

/** One action's fields: those of the chosen action only. */
function ActionFields({
  path,
  action: a,
  update,
}: {
  path: string;
  action: ActionDraft;
  update: (a: ActionDraft) => void;
}) {
  return (
    <>
      <SelectField
        path={`${path}.action`}
        label="Action"
        value={a.action}
        options={RESPONSE_ACTIONS}
        onChange={(action) => update({ ...a, action })}
      />
      {a.action === 'notify' && (
        <>
          <SelectField
            path={`${path}.channel`}
            label="Channel"
            value={a.channel}
            options={[
              { value: 'email', label: 'e-mail' },
              { value: 'webhook', label: 'webhook' },
            ]}
            onChange={(channel) => update({ ...a, channel })}
          />
          {a.channel === 'email' ? (
            <TextField
              path={`${path}.recipients`}
              label="Recipients"
              hint="e-mail addresses, comma-separated"
              value={a.recipients}
              onChange={(recipients) => update({ ...a, recipients })}
            />
          ) : (
            <TextField
              path={`${path}.webhook`}
              label="Webhook"
              hint="the name of a configured webhook"
              value={a.webhook}
              onChange={(webhook) => update({ ...a, webhook })}
            />
          )}
        </>
      )}
      {a.action === 'start-recording' ? (
        <TextField
          path={`${path}.reason`}
          label="Reason"
          value={a.reason}
          onChange={(reason) => update({ ...a, reason })}
        />
      ) : (
        <TextField
          path={`${path}.message`}
          label={a.action === 'notify' ? 'Message' : 'Message to the user'}
          value={a.message}
          maxLength={2000}
          onChange={(message) => update({ ...a, message })}
        />
      )}
    </>
  );
}

interface TestReply {
  rulesVersion: number;
  matches: {
    ruleId: string;
    actions: string[];
    count: number;
    windowSeconds?: number;
    per: string;
    throttleSeconds: number;
  }[];
  explanation?: string;
}

function describe(reply: TestReply): ReactNode {
  if (reply.matches.length === 0) {
    return (
      <>
        <p>No rule matches this event.</p>
        {reply.explanation && <p className="muted">{reply.explanation}</p>}
      </>
    );
  }
  return (
    <>
      <p>Matches {reply.matches.map((m) => `rule ${m.ruleId}`).join(', then ')}:</p>
      <ul>
        {reply.matches.map((m) => (
          <li key={m.ruleId}>
            {m.ruleId}: {m.actions.join(', ')}
            {m.count > 1 ? ` after ${m.count} within ${m.windowSeconds ?? '?'} s per ${m.per}` : ''}
            ; at most once per {m.throttleSeconds} s
          </li>
        ))}
      </ul>
      {reply.explanation && <p className="muted">{reply.explanation}</p>}
    </>
  );
}

export function ResponseRulesForm({
  document,
  onPublished,
}: {
  document: Record<string, unknown>;
  onPublished: () => void;
}) {
  const [draft, setDraft] = useState<ResponsesDraft>(() => toResponsesDraft(document));
  const form = usePolicyForm('responses', onPublished);
  const [sample, setSample] = useState<SampleSession>({ user: 'alice', groups: '', host: 'ws-01' });
  const [event, setEvent] = useState({ type: 'usb.insert', attributes: '' });
  const [result, setResult] = useState<ReactNode>();

  async function test() {
    setResult(undefined);
    const attributes = Object.fromEntries(
      splitList(event.attributes).map((pair) => {
        const at = pair.indexOf('=');
        return at > 0 ? [pair.slice(0, at).trim(), pair.slice(at + 1).trim()] : [pair, ''];
      }),
    );
    setResult(
      await form.test(
        fromResponsesDraft(draft),
        (document) =>
          request<TestReply>('/api/v1/policies/responses/test', {
            method: 'POST',
            body: {
              event: { type: event.type, at: new Date().toISOString(), attributes },
              session: { user: sample.user, groups: groupsOf(sample.groups), host: sample.host },
              document,
            },
          }),
        describe,
      ),
    );
  }

  return (
    <>
      <PolicyFormShell
        label="Edit the response rules"
        errors={form.errors}
        paths={responsesFieldPaths(draft)}
        status={form.status}
        onSubmit={() => void form.publish(fromResponsesDraft(draft))}
      >
        <NameFields
          name={draft.name}
          description={draft.description}
          onChange={(fields) => setDraft({ ...draft, ...fields })}
        />
        <RuleList
          rules={draft.rules}
          create={emptyResponseRule}
          alsoErrorsAt={(i) => [`rules[${i}].match`, `rules[${i}].condition`]}
          onChange={(rules) => setDraft({ ...draft, rules })}
          onClearErrors={() => form.setErrors([])}
        >
          {(rule, i, update) => {
            const p = `rules[${i}]`;
            const of = `rule ${i + 1}`;
            return (
              <>
                <div className="rule-grid">
                  <RuleIdFields path={p} rule={rule} update={update} />
                  <CheckboxField
                    path={`${p}.enabled`}
                    label="Enabled"
                    checked={rule.enabled}
                    onChange={(enabled) => update({ ...rule, enabled })}
                  />
                  <CheckboxField
                    path={`${p}.final`}
                    label="Final (later rules are not evaluated for a matching event)"
                    checked={rule.final}
                    onChange={(final) => update({ ...rule, final })}
                  />
                </div>
                <EventTriggersField
                  path={`${p}.match.events`}
                  legend="Events that match"
                  of={of}
                  triggers={rule.events}
                  onChange={(events) => update({ ...rule, events })}
                />
                <div className="rule-grid">
                  {RESPONSE_MATCH.map((key) => (
                    <TextField
                      key={key}
                      path={`${p}.match.${key}`}
                      label={LIST_LABELS[key]}
                      hint="comma-separated; * and ? match"
                      value={rule.lists[key]}
                      onChange={(v) => update({ ...rule, lists: { ...rule.lists, [key]: v } })}
                    />
                  ))}
                  <TextField
                    path={`${p}.condition.count`}
                    label="Events needed"
                    type="number"
                    hint="empty: every matching event"
                    value={rule.count}
                    onChange={(count) => update({ ...rule, count })}
                  />
                  <TextField
                    path={`${p}.condition.windowSeconds`}
                    label="Within (seconds)"
                    type="number"
                    hint="required when more than one event is needed"
                    value={rule.windowSeconds}
                    onChange={(windowSeconds) => update({ ...rule, windowSeconds })}
                  />
                  <SelectField
                    path={`${p}.condition.per`}
                    label="Counted per"
                    value={rule.per}
                    options={[
                      { value: '', label: 'session (default)' },
                      { value: 'session', label: 'session' },
                      { value: 'user', label: 'user' },
                    ]}
                    onChange={(per) => update({ ...rule, per })}
                  />
                  <TextField
                    path={`${p}.throttleSeconds`}
                    label="Throttle (seconds)"
                    type="number"
                    hint="at most one response per window; empty: 60"
                    value={rule.throttleSeconds}
                    onChange={(throttleSeconds) => update({ ...rule, throttleSeconds })}
                  />
                </div>
                <details open={rule.timeWindows.length + rule.outsideHours.length > 0}>
                  <summary>When: time windows and allowed hours</summary>
                  <TimeWindowsField
                    path={`${p}.match.timeWindows`}
                    legend="Only inside these windows"
                    of={of}
                    windows={rule.timeWindows}
                    onChange={(timeWindows) => update({ ...rule, timeWindows })}
                  />
                  <TimeWindowsField
                    path={`${p}.match.outsideHours`}
                    legend="Only outside these allowed hours"
                    of={of}
                    windows={rule.outsideHours}
                    onChange={(outsideHours) => update({ ...rule, outsideHours })}
                  />
                </details>
                <NestedList
                  path={`${p}.actions`}
                  legend="Actions"
                  noun="Action"
                  of={of}
                  items={rule.actions}
                  onChange={(actions) => update({ ...rule, actions })}
                  create={() => emptyAction('lock')}
                  empty="No action yet: add one."
                >
                  {(a, j, set) => (
                    <ActionFields path={`${p}.actions[${j}]`} action={a} update={set} />
                  )}
                </NestedList>
              </>
            );
          }}
        </RuleList>
      </PolicyFormShell>
      <TestPanel
        title="Test a sample event (this form, unpublished)"
        onTest={() => void test()}
        result={result}
      >
        <div className="field">
          <label htmlFor="t-event">Event type</label>
          <select
            id="t-event"
            value={event.type}
            onChange={(e) => setEvent({ ...event, type: e.target.value })}
          >
            {EVENT_TYPE_NAMES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        <PlainField
          id="t-attributes"
          label="Event attributes"
          placeholder="name=value, …"
          value={event.attributes}
          onChange={(attributes) => setEvent({ ...event, attributes })}
        />
        <SampleSessionFields value={sample} onChange={setSample} />
      </TestPanel>
    </>
  );
}
