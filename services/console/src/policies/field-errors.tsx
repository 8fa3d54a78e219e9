/** How policy editors show the api's `invalid_policy` field errors. */
import { ApiRequestError } from '../api/client';
import type { FieldError } from './policy-fields';

export function fieldErrorsOf(err: unknown): FieldError[] | undefined {
  if (!(err instanceof ApiRequestError) || err.code !== 'invalid_policy') return undefined;
  return err.fields;
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
