/** How policy editors show the api's `invalid_policy` field errors. */
import { ApiRequestError } from '../api/client';
import type { FieldError } from './policy-fields';

export function fieldErrorsOf(err: unknown): FieldError[] | undefined {
  if (!(err instanceof ApiRequestError) || err.code !== 'invalid_policy') return undefined;
  return err.fields;
}

/**
 * A 400 about a test's sample (`body.session.host: ...`, the api's `validation` answer) as
 * a field error at `session.host`; none for any other error.
 */
export function sampleErrorsOf(err: unknown): FieldError[] {
  if (!(err instanceof ApiRequestError) || err.code !== 'validation') return [];
  const m = /^body\.([^:\s]+): (.*)$/s.exec(err.message);
  return m?.[1] && m[2] !== undefined ? [{ path: m[1], message: m[2] }] : [];
}

/** The errors of one field, announced when they appear; nothing when there are none. */
export function FieldErrors({ errors, id }: { errors: FieldError[] | undefined; id: string }) {
  if (!errors?.length) return null;
  return (
    <ul className="field-error" id={id} role="alert">
      {errors.map((e) => (
        <li key={`${e.path}:${e.message}`}>
          {e.path}: {e.message}
        </li>
      ))}
    </ul>
  );
}
