/**
 * The detection policy edited as a form (detection-form.ts): the events hosts report and
 * their options by default, and ordered rules that change them for some users, groups or
 * hosts. "Test" asks the api what a host would report for a sample user with the form as
 * it is (unpublished); its errors are shown at the fields like a publish's.
 */
import { type ReactNode, useState } from 'react';
import { EVENT_TYPE_NAMES } from '../../../../libs/contracts/src/event-types';
import { request } from '../api/client';
import {
  DETECTION_MATCH,
  type DetectionDraft,
  detectionFieldPaths,
  emptyDetectionRule,
  fromDetectionDraft,
  type OptionsDraft,
  toDetectionDraft,
} from './detection-form';
import {
  CheckboxField,
  CheckboxGroup,
  groupsOf,
  NameFields,
  PolicyFormShell,
  RuleIdFields,
  RuleList,
  type SampleSession,
  SampleSessionFields,
  SelectField,
  TestPanel,
  TextField,
  usePolicyForm,
} from './form-parts';
import type { Choice } from './form-model';

const LIST_LABELS = { users: 'Users', groups: 'Groups', hosts: 'Hosts' } as const;

function choices(unset: string) {
  return [
    { value: '', label: unset },
    { value: 'yes', label: 'yes' },
    { value: 'no', label: 'no' },
  ];
}

/** The options of the defaults or of a rule; in a rule an empty field keeps the default. */
function OptionsFields({
  path,
  options,
  inRule,
  onChange,
}: {
  path: string;
  options: OptionsDraft;
  inRule: boolean;
  onChange: (options: OptionsDraft) => void;
}) {
  const unset = inRule ? 'as the defaults' : 'built-in (yes)';
  const listHint = (builtIn: string) =>
    `comma-separated patterns; empty: ${inRule ? 'as the defaults' : `built-in (${builtIn})`}`;
  return (
    <div className="rule-grid">
      <TextField
        path={`${path}.removableMountPoints`}
        label="Removable mount points"
        hint={listHint('/media/*, /run/media/*')}
        value={options.removableMountPoints}
        onChange={(removableMountPoints) => onChange({ ...options, removableMountPoints })}
      />
      <TextField
        path={`${path}.networkMountPoints`}
        label="Network mount points"
        hint={listHint('/mnt/*, /net/*')}
        value={options.networkMountPoints}
        onChange={(networkMountPoints) => onChange({ ...options, networkMountPoints })}
      />
      <TextField
        path={`${path}.idleThresholdSeconds`}
        label="Idle after (seconds)"
        type="number"
        hint={`30 to 86400; empty: ${inRule ? 'as the defaults' : 'built-in (300)'}`}
        value={options.idleThresholdSeconds}
        onChange={(idleThresholdSeconds) => onChange({ ...options, idleThresholdSeconds })}
      />
      <SelectField
        path={`${path}.captureCommandLines`}
        label="Capture command lines"
        value={options.captureCommandLines}
        options={choices(unset)}
        onChange={(v) => onChange({ ...options, captureCommandLines: v as Choice })}
      />
      <SelectField
        path={`${path}.captureWindowTitles`}
        label="Capture window titles"
        value={options.captureWindowTitles}
        options={choices(unset)}
        onChange={(v) => onChange({ ...options, captureWindowTitles: v as Choice })}
      />
    </div>
  );
}

interface DetectionResult {
  ruleId: string;
  policyVersion: number;
  events: string[];
  options: {
    removableMountPoints: string[];
    networkMountPoints: string[];
    idleThresholdSeconds: number;
    captureCommandLines: boolean;
    captureWindowTitles: boolean;
  };
  explanation?: string;
}

function describe(r: DetectionResult): ReactNode {
  const o = r.options;
  return (
    <>
      <p>
        Decided by {r.ruleId === 'default' ? 'the defaults' : `rule ${r.ruleId}`}: reports{' '}
        {r.events.length} event types.
      </p>
      <p className="muted">
        {r.events.join(', ')}. Idle after {o.idleThresholdSeconds} s; command lines{' '}
        {o.captureCommandLines ? 'captured' : 'not captured'}; window titles{' '}
        {o.captureWindowTitles ? 'captured' : 'not captured'}; removable:{' '}
        {o.removableMountPoints.join(', ') || 'none'}; network:{' '}
        {o.networkMountPoints.join(', ') || 'none'}.
      </p>
      {r.explanation && <p className="muted">{r.explanation}</p>}
    </>
  );
}

export function DetectionPolicyForm({
  document,
  onPublished,
}: {
  document: Record<string, unknown>;
  onPublished: () => void;
}) {
  const [draft, setDraft] = useState<DetectionDraft>(() => toDetectionDraft(document));
  const form = usePolicyForm('detection', onPublished);
  const [sample, setSample] = useState<SampleSession>({ user: 'alice', groups: '', host: 'ws-01' });
  const [result, setResult] = useState<ReactNode>();

  async function test() {
    setResult(undefined);
    setResult(
      await form.test(
        fromDetectionDraft(draft),
        (document) =>
          request<DetectionResult>('/api/v1/policies/detection/test', {
            method: 'POST',
            body: {
              user: sample.user,
              groups: groupsOf(sample.groups),
              host: sample.host,
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
        label="Edit the detection policy"
        errors={form.errors}
        paths={detectionFieldPaths(draft)}
        status={form.status}
        onSubmit={() => void form.publish(fromDetectionDraft(draft))}
      >
        <NameFields
          name={draft.name}
          description={draft.description}
          onChange={(fields) => setDraft({ ...draft, ...fields })}
        />
        <fieldset>
          <legend>Defaults (sessions no rule matches)</legend>
          <CheckboxGroup
            path="defaults.events"
            legend="Events reported"
            hint="Session start and end, recording start and stop and executed responses are always reported."
            options={EVENT_TYPE_NAMES}
            bulk
            selected={draft.events}
            onChange={(events) => setDraft({ ...draft, events })}
          />
          <OptionsFields
            path="defaults.options"
            options={draft.options}
            inRule={false}
            onChange={(options) => setDraft({ ...draft, options })}
          />
        </fieldset>
        <RuleList
          rules={draft.rules}
          create={emptyDetectionRule}
          alsoErrorsAt={(i) => [`rules[${i}].match`]}
          onChange={(rules) => setDraft({ ...draft, rules })}
          onClearErrors={() => form.setErrors([])}
        >
          {(rule, i, update) => {
            const p = `rules[${i}]`;
            return (
              <>
                <div className="rule-grid">
                  <RuleIdFields path={p} rule={rule} update={update} />
                  {DETECTION_MATCH.map((key) => (
                    <TextField
                      key={key}
                      path={`${p}.match.${key}`}
                      label={LIST_LABELS[key]}
                      hint="comma-separated; * and ? match"
                      value={rule.lists[key]}
                      onChange={(v) => update({ ...rule, lists: { ...rule.lists, [key]: v } })}
                    />
                  ))}
                </div>
                <CheckboxField
                  path={`${p}.ownEvents`}
                  label="Its own list of events (instead of the default list)"
                  checked={rule.ownEvents}
                  onChange={(ownEvents) =>
                    update({
                      ...rule,
                      ownEvents,
                      events: ownEvents && rule.events.length === 0 ? draft.events : rule.events,
                    })
                  }
                />
                {rule.ownEvents && (
                  <CheckboxGroup
                    path={`${p}.events`}
                    legend={`Events reported (rule ${i + 1})`}
                    options={EVENT_TYPE_NAMES}
                    bulk
                    selected={rule.events}
                    onChange={(events) => update({ ...rule, events })}
                  />
                )}
                <OptionsFields
                  path={`${p}.options`}
                  options={rule.options}
                  inRule
                  onChange={(options) => update({ ...rule, options })}
                />
              </>
            );
          }}
        </RuleList>
      </PolicyFormShell>
      <TestPanel
        title="Test against a sample session (this form, unpublished)"
        onTest={() => void test()}
        result={result}
      >
        <SampleSessionFields value={sample} onChange={setSample} />
      </TestPanel>
    </>
  );
}
