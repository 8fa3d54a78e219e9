/**
 * The pieces every policy form is built from: labelled fields that show the api's errors
 * at their path (marked `aria-invalid`, described by their errors), checkbox groups,
 * ordered lists whose items are added, removed and moved, time windows and event triggers,
 * the form shell (publish, the first invalid field focused, errors no field owns listed at
 * the end) and the sample-session fields of the test panels.
 */
import {
  createContext,
  type FormEvent,
  type ReactNode,
  useContext,
  useEffect,
  useRef,
  useState,
} from 'react';
import { EVENT_TYPE_NAMES } from '../../../../libs/contracts/src/event-types';
import { errorMessage, request } from '../api/client';
import { fieldErrorsOf, FieldErrors } from './field-errors';
import {
  emptyTrigger,
  emptyWindow,
  errorsByField,
  type Keyed,
  moved,
  type TriggerDraft,
  WEEKDAYS,
  type WindowDraft,
} from './form-model';
import type { FieldError } from './policy-fields';

/** The errors of the form being drawn, by the field path that shows them. */
const ErrorsContext = createContext<Map<string, FieldError[]>>(new Map());

export function idOf(path: string): string {
  return `p-${path.replace(/[^A-Za-z0-9]+/g, '-')}`;
}

function useFieldErrors(path: string): FieldError[] | undefined {
  return useContext(ErrorsContext).get(path);
}

interface ControlProps {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

/** A labelled control with its hint and the errors at its path, linked for screen readers. */
export function Field({
  path,
  label,
  hint,
  children,
}: {
  path: string;
  label: string;
  hint?: string;
  children: (props: ControlProps) => ReactNode;
}) {
  const id = idOf(path);
  const errs = useFieldErrors(path);
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

export function TextField({
  path,
  label,
  value,
  onChange,
  hint,
  type = 'text',
  maxLength,
}: {
  path: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: string;
  type?: 'text' | 'number' | 'time' | 'email';
  maxLength?: number;
}) {
  return (
    <Field path={path} label={label} {...(hint ? { hint } : {})}>
      {(a) => (
        <input
          {...a}
          type={type}
          value={value}
          {...(maxLength ? { maxLength } : {})}
          {...(type === 'number' ? { inputMode: 'numeric' as const } : {})}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

export type Option = string | { value: string; label: string };

function optionOf(o: Option): { value: string; label: string } {
  return typeof o === 'string' ? { value: o, label: o } : o;
}

export function SelectField({
  path,
  label,
  value,
  options,
  onChange,
  hint,
}: {
  path: string;
  label: string;
  value: string;
  options: readonly Option[];
  onChange: (value: string) => void;
  hint?: string;
}) {
  const all = options.map(optionOf);
  // A value the form does not offer (an older document) stays selectable, not silently changed.
  if (value && !all.some((o) => o.value === value)) all.unshift({ value, label: value });
  return (
    <Field path={path} label={label} {...(hint ? { hint } : {})}>
      {(a) => (
        <select {...a} value={value} onChange={(e) => onChange(e.target.value)}>
          {all.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function CheckboxField({
  path,
  label,
  checked,
  onChange,
}: {
  path: string;
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  const id = idOf(path);
  const errs = useFieldErrors(path);
  return (
    <div className="field">
      <label className="checkbox">
        <input
          id={id}
          type="checkbox"
          checked={checked}
          aria-invalid={errs ? true : undefined}
          aria-describedby={errs ? `${id}-errors` : undefined}
          onChange={(e) => onChange(e.target.checked)}
        />
        {label}
      </label>
      <FieldErrors errors={errs} id={`${id}-errors`} />
    </div>
  );
}

/** A policy's name and description, at the top of every form. */
export function NameFields({
  name,
  description,
  onChange,
}: {
  name: string;
  description: string;
  onChange: (fields: { name: string; description: string }) => void;
}) {
  return (
    <div className="rule-grid">
      <TextField
        path="name"
        label="Policy name"
        value={name}
        onChange={(v) => onChange({ name: v, description })}
      />
      <TextField
        path="description"
        label="Policy description"
        value={description}
        onChange={(v) => onChange({ name, description: v })}
      />
    </div>
  );
}

/** A rule's id and description, first in every rule. */
export function RuleIdFields<T extends { id: string; description: string }>({
  path,
  rule,
  update,
}: {
  path: string;
  rule: T;
  update: (rule: T) => void;
}) {
  return (
    <>
      <TextField
        path={`${path}.id`}
        label="Rule id"
        value={rule.id}
        onChange={(id) => update({ ...rule, id })}
      />
      <TextField
        path={`${path}.description`}
        label="Description"
        value={rule.description}
        onChange={(description) => update({ ...rule, description })}
      />
    </>
  );
}

/** A labelled text input outside the policy's fields (the test panels' sample). */
export function PlainField({
  id,
  label,
  value,
  onChange,
  placeholder,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={value}
        {...(placeholder ? { placeholder } : {})}
        onChange={(e) => onChange(e.target.value)}
      />
    </div>
  );
}

/** Checkboxes for a set of values (event types, roles, weekdays), one group with a legend. */
export function CheckboxGroup({
  path,
  legend,
  options,
  selected,
  onChange,
  hint,
  className,
  bulk = false,
}: {
  path: string;
  legend: string;
  options: readonly Option[];
  selected: readonly string[];
  onChange: (selected: string[]) => void;
  hint?: string;
  className?: string;
  /** "All" and "None" buttons (long lists). */
  bulk?: boolean;
}) {
  const id = idOf(path);
  const errs = useFieldErrors(path);
  const all = options.map(optionOf);
  const described = [hint ? `${id}-hint` : '', errs ? `${id}-errors` : ''].filter(Boolean);
  return (
    <fieldset
      className={`checkbox-group ${className ?? ''}`}
      id={id}
      aria-invalid={errs ? true : undefined}
      aria-describedby={described.length ? described.join(' ') : undefined}
    >
      <legend>{legend}</legend>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {bulk && (
        <div className="button-row bulk">
          <button
            type="button"
            className="link"
            aria-label={`Select all: ${legend}`}
            onClick={() => onChange(all.map((o) => o.value))}
          >
            All
          </button>
          <button
            type="button"
            className="link"
            aria-label={`Select none: ${legend}`}
            onClick={() => onChange([])}
          >
            None
          </button>
        </div>
      )}
      <div className="checkbox-options">
        {all.map((o) => (
          <label className="checkbox" key={o.value}>
            <input
              type="checkbox"
              checked={selected.includes(o.value)}
              onChange={(e) =>
                onChange(
                  e.target.checked ? [...selected, o.value] : selected.filter((v) => v !== o.value),
                )
              }
            />
            {o.label}
          </label>
        ))}
      </div>
      <FieldErrors errors={errs} id={`${id}-errors`} />
    </fieldset>
  );
}

/**
 * One item of an ordered list (a rule, an action, a time window), as a group with its own
 * legend ("Rule 2"), its tools (up, down, remove: named "Move rule 2 up", and for nested
 * items "Remove action 1 of rule 2") and the errors about the item as a whole.
 */
export function ItemFieldset({
  noun,
  index,
  count,
  of,
  path,
  alsoErrorsAt = [],
  movable = true,
  onMove,
  onRemove,
  children,
  className,
}: {
  noun: string;
  index: number;
  count: number;
  /** The enclosing item, for the tools' names ("rule 2"). */
  of?: string;
  path: string;
  /** Other paths whose errors belong to the item as a whole (`rules[0].match`). */
  alsoErrorsAt?: readonly string[];
  movable?: boolean;
  onMove: (to: number) => void;
  onRemove: () => void;
  children: ReactNode;
  className?: string;
}) {
  const errors = useContext(ErrorsContext);
  const n = index + 1;
  const name = `${noun.toLowerCase()} ${n}${of ? ` of ${of}` : ''}`;
  const own = [path, ...alsoErrorsAt].flatMap((p) => errors.get(p) ?? []);
  return (
    <fieldset className={className ?? 'item'} aria-invalid={own.length ? true : undefined}>
      <legend>
        {noun} {n}
      </legend>
      <div className="button-row rule-tools">
        {movable && (
          <>
            <button
              type="button"
              className="secondary"
              aria-label={`Move ${name} up`}
              disabled={index === 0}
              onClick={() => onMove(index - 1)}
            >
              Up
            </button>
            <button
              type="button"
              className="secondary"
              aria-label={`Move ${name} down`}
              disabled={index === count - 1}
              onClick={() => onMove(index + 1)}
            >
              Down
            </button>
          </>
        )}
        <button
          type="button"
          className={movable ? 'danger' : 'secondary'}
          aria-label={`Remove ${name}`}
          onClick={onRemove}
        >
          Remove
        </button>
      </div>
      {children}
      <FieldErrors errors={own.length ? own : undefined} id={`${idOf(path)}-errors`} />
    </fieldset>
  );
}

/** A group of fields with a legend, marked invalid and showing the errors at its path. */
export function Group({
  path,
  legend,
  hint,
  children,
  className,
}: {
  path: string;
  legend: string;
  hint?: string;
  children: ReactNode;
  className?: string;
}) {
  const id = idOf(path);
  const errs = useFieldErrors(path);
  const described = [hint ? `${id}-hint` : '', errs ? `${id}-errors` : ''].filter(Boolean);
  return (
    <fieldset
      className={className ?? 'nested-list'}
      id={id}
      aria-invalid={errs ? true : undefined}
      aria-describedby={described.length ? described.join(' ') : undefined}
    >
      <legend>{legend}</legend>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {children}
      <FieldErrors errors={errs} id={`${id}-errors`} />
    </fieldset>
  );
}

/** How an ordered list's items are changed: one item, moved, removed, or one added. */
export function listEditor<T>(items: readonly T[], onChange: (items: T[]) => void) {
  return {
    update: (i: number, item: T) => onChange(items.map((x, j) => (j === i ? item : x))),
    move: (i: number, to: number) => onChange(moved(items, i, to)),
    remove: (i: number) => onChange(items.filter((_, j) => j !== i)),
    add: (item: T) => onChange([...items, item]),
  };
}

/** A nested list (time windows, triggers, actions) with its legend, items and Add button. */
export function NestedList<T extends Keyed>({
  path,
  legend,
  noun,
  of,
  items,
  onChange,
  create,
  empty,
  children,
}: {
  path: string;
  legend: string;
  noun: string;
  of: string;
  items: readonly T[];
  onChange: (items: T[]) => void;
  create: () => T;
  /** Said when there are no items. */
  empty: string;
  children: (item: T, index: number, update: (item: T) => void) => ReactNode;
}) {
  const edit = listEditor(items, onChange);
  return (
    <Group path={path} legend={legend}>
      {items.length === 0 && <p className="muted">{empty}</p>}
      {items.map((item, i) => (
        <ItemFieldset
          key={item.key}
          noun={noun}
          index={i}
          count={items.length}
          of={of}
          path={`${path}[${i}]`}
          movable={false}
          onMove={(to) => edit.move(i, to)}
          onRemove={() => edit.remove(i)}
          className="item nested"
        >
          <div className="rule-grid">{children(item, i, (next) => edit.update(i, next))}</div>
        </ItemFieldset>
      ))}
      <div className="button-row">
        <button
          type="button"
          className="secondary"
          aria-label={`Add ${noun.toLowerCase()} to ${of}`}
          onClick={() => edit.add(create())}
        >
          Add {noun.toLowerCase()}
        </button>
      </div>
    </Group>
  );
}

/** A list of time windows: days, from, to (HH:MM) and an IANA time zone each. */
export function TimeWindowsField({
  path,
  legend,
  of,
  windows,
  onChange,
}: {
  path: string;
  legend: string;
  of: string;
  windows: readonly WindowDraft[];
  onChange: (windows: WindowDraft[]) => void;
}) {
  return (
    <NestedList
      path={path}
      legend={legend}
      noun="Window"
      of={`${of}: ${legend.toLowerCase()}`}
      items={windows}
      onChange={onChange}
      create={emptyWindow}
      empty="None."
    >
      {(w, i, update) => (
        <>
          <CheckboxGroup
            path={`${path}[${i}].days`}
            legend="Days"
            options={WEEKDAYS}
            selected={w.days}
            onChange={(days) => update({ ...w, days })}
            className="compact"
          />
          <TextField
            path={`${path}[${i}].from`}
            label="From"
            type="time"
            value={w.from}
            onChange={(from) => update({ ...w, from })}
          />
          <TextField
            path={`${path}[${i}].to`}
            label="To"
            type="time"
            value={w.to}
            onChange={(to) => update({ ...w, to })}
          />
          <TextField
            path={`${path}[${i}].timeZone`}
            label="Time zone"
            hint="e.g. Europe/Paris"
            value={w.timeZone}
            onChange={(timeZone) => update({ ...w, timeZone })}
          />
        </>
      )}
    </NestedList>
  );
}

/** A list of event triggers: an event type and `name=pattern` attribute conditions each. */
export function EventTriggersField({
  path,
  legend,
  of,
  triggers,
  onChange,
}: {
  path: string;
  legend: string;
  of: string;
  triggers: readonly TriggerDraft[];
  onChange: (triggers: TriggerDraft[]) => void;
}) {
  return (
    <NestedList
      path={path}
      legend={legend}
      noun="Event"
      of={of}
      items={triggers}
      onChange={onChange}
      create={() => emptyTrigger()}
      empty="No event yet: add one."
    >
      {(t, i, update) => (
        <>
          <SelectField
            path={`${path}[${i}].eventType`}
            label="Event type"
            value={t.eventType}
            options={EVENT_TYPE_NAMES}
            onChange={(eventType) => update({ ...t, eventType })}
          />
          <TextField
            path={`${path}[${i}].attributes`}
            label="Attributes"
            hint="name=pattern, comma-separated; * and ? match"
            value={t.attributes}
            onChange={(attributes) => update({ ...t, attributes })}
          />
        </>
      )}
    </NestedList>
  );
}

export type Built<T> = { document: T } | { errors: FieldError[] };

/**
 * A policy form's state: its errors (from the draft's own checks or the api's
 * `invalid_policy`), the status line, and publishing the draft as a new version.
 */
export function usePolicyForm(kind: string, onPublished: () => void) {
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [status, setStatus] = useState<string | undefined>();
  /** Sends a built draft (`ask`); its own errors, or the api's, go to the fields. */
  async function send<R>(
    built: Built<unknown>,
    ask: (document: unknown) => Promise<R>,
    not: string,
  ): Promise<{ ok: true; reply: R } | { ok: false; message: string }> {
    if ('errors' in built) {
      setErrors(built.errors);
      return { ok: false, message: `${not}: fix the fields marked above.` };
    }
    try {
      const reply = await ask(built.document);
      setErrors([]);
      return { ok: true, reply };
    } catch (err) {
      const fields = fieldErrorsOf(err);
      setErrors(fields ?? []);
      return {
        ok: false,
        message: fields ? `${not}: fix the fields marked above.` : errorMessage(err),
      };
    }
  }

  async function publish(built: Built<unknown>) {
    setStatus(undefined);
    const sent = await send(
      built,
      (document) =>
        request<{ version: number }>(`/api/v1/policies/${kind}`, { method: 'PUT', body: document }),
      'Not published',
    );
    if (sent.ok) {
      setStatus(`Published version ${sent.reply.version}.`);
      onPublished();
    } else {
      setStatus(sent.message);
    }
  }

  /** Tests the draft against the api (`ask` sends it, `describe` words the answer). */
  async function test<R>(
    built: Built<unknown>,
    ask: (document: unknown) => Promise<R>,
    describe: (reply: R) => ReactNode,
  ): Promise<ReactNode> {
    const sent = await send(built, ask, 'Not tested');
    return sent.ok ? describe(sent.reply) : sent.message;
  }
  return { errors, setErrors, status, setStatus, publish, test };
}

/**
 * The form around a policy's fields: errors shown at the fields `paths` lists (the rest at
 * the end), the first invalid field focused when errors arrive, then Publish and the status.
 */
export function PolicyFormShell({
  label,
  errors,
  paths,
  status,
  onSubmit,
  children,
}: {
  label: string;
  errors: readonly FieldError[];
  paths: readonly string[];
  status: string | undefined;
  onSubmit: () => void;
  children: ReactNode;
}) {
  const byField = errorsByField(errors, paths);
  const formRef = useRef<HTMLFormElement>(null);
  // Keyboard and screen-reader users land on the first field that needs fixing (for an
  // error about a group, its first control).
  useEffect(() => {
    if (errors.length === 0) return;
    const form = formRef.current;
    const first =
      form?.querySelector<HTMLElement>(
        'input[aria-invalid="true"], select[aria-invalid="true"], textarea[aria-invalid="true"]',
      ) ??
      form?.querySelector<HTMLElement>(
        'fieldset[aria-invalid="true"] input, fieldset[aria-invalid="true"] select',
      );
    first?.focus();
  }, [errors]);
  return (
    <ErrorsContext.Provider value={byField}>
      <form
        ref={formRef}
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          onSubmit();
        }}
        className="policy-form"
        aria-label={label}
        noValidate
      >
        {children}
        <FieldErrors errors={byField.get('')} id="document-errors" />
        <div className="button-row">
          <button type="submit">Publish new version</button>
        </div>
        {status && <p role="status">{status}</p>}
      </form>
    </ErrorsContext.Provider>
  );
}

/** Ordered rules: each drawn by `children` inside its item group, then "Add rule". */
export function RuleList<T extends Keyed>({
  rules,
  onChange,
  onClearErrors,
  create,
  children,
  alsoErrorsAt = () => [],
}: {
  rules: readonly T[];
  onChange: (rules: T[]) => void;
  /** Called when rules move or go: error paths name rules by position, so they are stale. */
  onClearErrors: () => void;
  create: () => T;
  children: (rule: T, index: number, update: (rule: T) => void) => ReactNode;
  alsoErrorsAt?: (index: number) => string[];
}) {
  return (
    <>
      <h2>Rules</h2>
      <p className="muted">Rules are evaluated in order; order matters.</p>
      {rules.length === 0 && <p>No rules.</p>}
      {rules.map((rule, i) => (
        <ItemFieldset
          key={rule.key}
          noun="Rule"
          index={i}
          count={rules.length}
          path={`rules[${i}]`}
          alsoErrorsAt={alsoErrorsAt(i)}
          onMove={(to) => {
            onChange(moved(rules, i, to));
            onClearErrors();
          }}
          onRemove={() => {
            onChange(rules.filter((_, j) => j !== i));
            onClearErrors();
          }}
          className="rule"
        >
          {children(rule, i, (r) => onChange(rules.map((x, j) => (j === i ? r : x))))}
        </ItemFieldset>
      ))}
      <div className="button-row">
        <button type="button" className="secondary" onClick={() => onChange([...rules, create()])}>
          Add rule
        </button>
      </div>
    </>
  );
}

export interface SampleSession {
  user: string;
  groups: string;
  host: string;
}

export function groupsOf(text: string): string[] {
  return text
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);
}

/** The user, groups and host of a sample session, for the test panels. */
export function SampleSessionFields({
  value,
  onChange,
}: {
  value: SampleSession;
  onChange: (value: SampleSession) => void;
}) {
  const input = (name: keyof SampleSession, label: string) => (
    <PlainField
      id={`t-${name}`}
      label={label}
      value={value[name]}
      onChange={(v) => onChange({ ...value, [name]: v })}
    />
  );
  return (
    <>
      {input('user', 'User')}
      {input('groups', 'Groups (comma-separated)')}
      {input('host', 'Host')}
    </>
  );
}

/**
 * A test panel: its own form (never nested in the policy form) and the answer. `errors`
 * about the sample (paths as the test route names them, `session.host`) are shown at the
 * panel's own path-named fields (`paths`), the first of them focused.
 */
export function TestPanel({
  title,
  onTest,
  result,
  children,
  errors = [],
  paths = [],
}: {
  title: string;
  onTest: () => void;
  result: ReactNode;
  children: ReactNode;
  errors?: readonly FieldError[];
  paths?: readonly string[];
}) {
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (errors.length === 0) return;
    formRef.current
      ?.querySelector<HTMLElement>(
        'input[aria-invalid="true"], fieldset[aria-invalid="true"] input',
      )
      ?.focus();
  }, [errors]);
  return (
    <section aria-labelledby="test-title" className="test-panel">
      <h2 id="test-title">{title}</h2>
      <form
        ref={formRef}
        className="filters"
        aria-label={title}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          onTest();
        }}
      >
        <ErrorsContext.Provider value={errorsByField(errors, paths)}>
          {children}
        </ErrorsContext.Provider>
        <div className="field actions">
          <button type="submit">Test</button>
        </div>
      </form>
      {result && (
        <div role="status" className="test-result">
          {result}
        </div>
      )}
    </section>
  );
}
