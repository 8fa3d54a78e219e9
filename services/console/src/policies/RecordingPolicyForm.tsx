/**
 * The recording policy edited as a form (recording-form.ts): name, default action, and the
 * ordered rules, each added, removed and moved on its own, built from the shared form
 * pieces (form-parts.tsx). On publish the api's `invalid_policy` errors are shown under the
 * field each one names, and that field is marked invalid; an error no field owns is listed
 * at the end of the form.
 */
import { useState } from 'react';
import {
  CheckboxField,
  EventTriggersField,
  Group,
  NameFields,
  PolicyFormShell,
  RuleIdFields,
  RuleList,
  SelectField,
  TextField,
  TimeWindowsField,
  usePolicyForm,
} from './form-parts';
import {
  type CaptureDraft,
  DECISIONS,
  emptyCapture,
  emptyRule,
  fieldPaths,
  fromDraft,
  MATCH_LISTS,
  type NoticeDraft,
  QUALITIES,
  type RecordingDraft,
  type RuleDraft,
  toDraft,
} from './recording-form';

function NoticeFields({
  path,
  notice,
  onChange,
}: {
  path: string;
  notice: NoticeDraft;
  onChange: (notice: NoticeDraft) => void;
}) {
  return (
    <div className="notice-fields">
      <CheckboxField
        path={`${path}.show`}
        label="Show a notice to the user"
        checked={notice.show}
        onChange={(show) => onChange({ ...notice, show })}
      />
      <TextField
        path={path}
        label="Notice text"
        value={notice.text}
        maxLength={2000}
        onChange={(text) => onChange({ ...notice, text })}
      />
    </div>
  );
}

function CaptureFields({
  path,
  capture,
  onChange,
}: {
  path: string;
  capture: CaptureDraft | undefined;
  onChange: (capture: CaptureDraft | undefined) => void;
}) {
  return (
    <>
      <CheckboxField
        path={path}
        label="Its own capture settings"
        checked={capture !== undefined}
        onChange={(own) => onChange(own ? emptyCapture() : undefined)}
      />
      {capture && (
        <div className="rule-grid">
          <TextField
            path={`${path}.frameRate`}
            label="Frame rate (per second)"
            type="number"
            hint="1 to 30"
            value={capture.frameRate}
            onChange={(frameRate) => onChange({ ...capture, frameRate })}
          />
          <SelectField
            path={`${path}.quality`}
            label="Quality"
            value={capture.quality}
            options={QUALITIES}
            onChange={(quality) => onChange({ ...capture, quality })}
          />
          <TextField
            path={`${path}.excludedApplications`}
            label="Excluded applications"
            hint="masked before encoding; comma-separated patterns"
            value={capture.excludedApplications}
            onChange={(excludedApplications) => onChange({ ...capture, excludedApplications })}
          />
          <CheckboxField
            path={`${path}.inputCapture`}
            label="Capture input"
            checked={capture.inputCapture}
            onChange={(inputCapture) => onChange({ ...capture, inputCapture })}
          />
        </div>
      )}
    </>
  );
}

function RuleFields({
  rule,
  index,
  update,
}: {
  rule: RuleDraft;
  index: number;
  update: (rule: RuleDraft) => void;
}) {
  const p = `rules[${index}]`;
  const of = `rule ${index + 1}`;
  return (
    <>
      <div className="rule-grid">
        <RuleIdFields path={p} rule={rule} update={update} />
        <SelectField
          path={`${p}.action`}
          label="Action"
          value={rule.action}
          options={DECISIONS}
          onChange={(action) => update({ ...rule, action })}
        />
        {MATCH_LISTS.map(({ key, label }) => (
          <TextField
            key={key}
            path={`${p}.match.${key}`}
            label={label}
            hint={key === 'clientNetworks' ? 'e.g. 10.0.0.0/8' : 'comma-separated; * and ? match'}
            value={rule.lists[key]}
            onChange={(v) => update({ ...rule, lists: { ...rule.lists, [key]: v } })}
          />
        ))}
        <TextField
          path={`${p}.retentionClass`}
          label="Retention class"
          value={rule.retentionClass}
          onChange={(retentionClass) => update({ ...rule, retentionClass })}
        />
        <NoticeFields
          path={`${p}.notice`}
          notice={rule.notice}
          onChange={(notice) => update({ ...rule, notice })}
        />
      </div>
      {rule.action === 'record-on-event' && (
        <Group
          path={`${p}.triggers`}
          legend="Recording starts on"
          hint="The minutes before the event come from the host's local buffer."
        >
          <EventTriggersField
            path={`${p}.triggers.events`}
            legend="Events"
            of={of}
            triggers={rule.triggers}
            onChange={(triggers) => update({ ...rule, triggers })}
          />
          <div className="rule-grid">
            <TextField
              path={`${p}.triggers.preEventMinutes`}
              label="Minutes kept before the event"
              type="number"
              hint="0 to 30"
              value={rule.preEventMinutes}
              onChange={(preEventMinutes) => update({ ...rule, preEventMinutes })}
            />
          </div>
        </Group>
      )}
      <details open={rule.windows.length > 0 || rule.capture !== undefined}>
        <summary>Time windows and capture settings</summary>
        <TimeWindowsField
          path={`${p}.match.timeWindows`}
          legend="Only inside these time windows"
          of={of}
          windows={rule.windows}
          onChange={(windows) => update({ ...rule, windows })}
        />
        <CaptureFields
          path={`${p}.capture`}
          capture={rule.capture}
          onChange={(capture) => update({ ...rule, capture })}
        />
      </details>
    </>
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
  const form = usePolicyForm('recording', onPublished);
  return (
    <PolicyFormShell
      label="Edit the recording policy"
      errors={form.errors}
      paths={fieldPaths(draft)}
      status={form.status}
      onSubmit={() => void form.publish(fromDraft(draft))}
    >
      <NameFields
        name={draft.name}
        description={draft.description}
        onChange={(fields) => setDraft({ ...draft, ...fields })}
      />
      <fieldset>
        <legend>When no rule matches</legend>
        <div className="rule-grid">
          <SelectField
            path="defaultAction.action"
            label="Default action"
            value={draft.defaultAction}
            options={DECISIONS}
            onChange={(defaultAction) => setDraft({ ...draft, defaultAction })}
          />
          <NoticeFields
            path="defaultAction.notice"
            notice={draft.defaultNotice}
            onChange={(defaultNotice) => setDraft({ ...draft, defaultNotice })}
          />
        </div>
      </fieldset>
      <RuleList
        rules={draft.rules}
        create={() => emptyRule()}
        alsoErrorsAt={(i) => [`rules[${i}].match`]}
        onChange={(rules) => setDraft({ ...draft, rules })}
        onClearErrors={() => form.setErrors([])}
      >
        {(rule, i, update) => <RuleFields rule={rule} index={i} update={update} />}
      </RuleList>
    </PolicyFormShell>
  );
}
