/**
 * JSON on the wire, validated against the contract on both sides: nothing leaves
 * a publisher and nothing reaches a handler without passing its zod schema.
 */
import type { z } from 'zod';
import { SchemaValidationError } from './errors';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** Validates `value` with `schema`, throwing a SchemaValidationError naming `what`. */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new SchemaValidationError(what, result.error.issues);
  return result.data;
}

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Decodes a received payload. Failure is data, not an exception: the caller turns the
 * reason into a dead-letter header or an error reply.
 */
export function decodeAndValidate<S extends z.ZodType>(
  schema: S,
  data: Uint8Array,
  what: string,
): DecodeResult<z.output<S>> {
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(data));
  } catch (err) {
    return { ok: false, reason: `invalid JSON: ${(err as Error).message}` };
  }
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  const versionIssue = result.error.issues.find((i) => i.path.length === 1 && i.path[0] === 'v');
  if (versionIssue && typeof json === 'object' && json !== null && 'v' in json) {
    return {
      ok: false,
      reason: `unknown schema version ${JSON.stringify(json.v)} for ${what}`,
    };
  }
  return { ok: false, reason: new SchemaValidationError(what, result.error.issues).message };
}
