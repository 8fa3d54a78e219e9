/**
 * Decodes request parts with zod schemas. A failure becomes a 400 naming the parameter
 * (`query.from: ...`), never echoing the value itself.
 */
import { z } from 'zod';
import { ValidationError } from './api-errors';

export type RequestPart = 'body' | 'params' | 'query';

/** `renames` maps a schema field back to the parameter the client sent (fromMs -> from). */
export function decode<S extends z.ZodType>(
  schema: S,
  value: unknown,
  part: RequestPart,
  renames: Readonly<Record<string, string>> = {},
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const fields = (issue?.path ?? []).map(String);
  const path = [part, ...fields.map((f, i) => (i === 0 ? (renames[f] ?? f) : f))].join('.');
  throw new ValidationError(`${path}: ${issue?.message ?? 'invalid'}`);
}

export const uuidParam = z.uuid();

/** A non-negative integer written in decimal, as query strings carry numbers. */
export function intParam(max: number): z.ZodType<number, string> {
  return z
    .string()
    .regex(/^(0|[1-9][0-9]{0,15})$/, 'must be a non-negative integer')
    .transform(Number)
    .pipe(z.number().int().min(0).max(max));
}
