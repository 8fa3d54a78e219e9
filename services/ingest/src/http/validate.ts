/**
 * Decodes request parts with the agent protocol's zod schemas. A failure becomes a 400
 * naming the field (`body.events.3.type: ...`), never echoing the value itself.
 */
import { z } from 'zod';
import { ValidationError } from './api-errors';

/** Where the value came from: a request part, or a path inside the body. */
export type RequestPart = 'body' | 'params' | 'headers' | `body.${string}`;

export function decode<S extends z.ZodType>(
  schema: S,
  value: unknown,
  part: RequestPart,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [part, ...(issue?.path ?? []).map(String)].join('.');
  throw new ValidationError(`${path}: ${issue?.message ?? 'invalid'}`);
}

/** Path parameters: uuids, and a sequence number from 0 to 10^7. */
export const MAX_SEQ = 10_000_000;
export const uuidParam = z.uuid();
export const seqParam = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,7})$/, 'must be an integer from 0 to 10000000')
  .transform(Number)
  .pipe(z.number().int().min(0).max(MAX_SEQ));

export const sessionParams = z.strictObject({ sessionId: uuidParam });
export const recordingParams = z.strictObject({ recordingId: uuidParam });
export const segmentParams = z.strictObject({ recordingId: uuidParam, seq: seqParam });
