/**
 * One request waiting for ingest's acknowledgement, as kept on disk: a length-prefixed
 * JSON description followed by the raw body, so a segment is one file and one rename.
 */
import { z } from 'zod';

export const spoolKind = z.enum([
  'session-start',
  'session-end',
  'recording-start',
  'recording-stop',
  'segment',
  'events',
  'metrics',
]);
export type SpoolKind = z.infer<typeof spoolKind>;

/** Requests after which the rest of the session must wait for an acknowledgement. */
export const BARRIER_KINDS: ReadonlySet<SpoolKind> = new Set([
  'session-start',
  'session-end',
  'recording-start',
  'recording-stop',
]);

export const spoolMeta = z.strictObject({
  kind: spoolKind,
  /** The session: items of one session are sent in the order they were spooled. */
  lane: z.string().min(1).max(128),
  recordingId: z.string().max(128).optional(),
  method: z.enum(['POST', 'PUT']),
  path: z.string().min(1).max(1024),
  headers: z.record(z.string(), z.string()).default({}),
  /** JSON bodies are sent as application/json, the rest as octet-stream. */
  json: z.boolean(),
  /** Events or samples in a batch; 1 otherwise. */
  count: z.number().int().nonnegative(),
  createdAt: z.string(),
});
export type SpoolMeta = z.infer<typeof spoolMeta>;

export interface SpoolItem {
  /** Position in the agent's spool; later items of a lane never overtake earlier ones. */
  readonly order: number;
  readonly meta: SpoolMeta;
  readonly body: Buffer;
  /** Bytes on disk. */
  readonly size: number;
}

export class SpoolCorruptError extends Error {
  override readonly name = 'SpoolCorruptError';
}

export function encodeItem(meta: SpoolMeta, body: Uint8Array): Buffer {
  const head = Buffer.from(JSON.stringify(meta), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(head.length);
  return Buffer.concat([length, head, body]);
}

export function decodeItem(order: number, file: Buffer): SpoolItem {
  if (file.length < 4) throw new SpoolCorruptError(`spool item ${order} is truncated`);
  const headLength = file.readUInt32BE(0);
  if (4 + headLength > file.length) throw new SpoolCorruptError(`spool item ${order} is truncated`);
  let raw: unknown;
  try {
    raw = JSON.parse(file.toString('utf8', 4, 4 + headLength));
  } catch {
    throw new SpoolCorruptError(`spool item ${order} has an unreadable header`);
  }
  const meta = spoolMeta.safeParse(raw);
  if (!meta.success) throw new SpoolCorruptError(`spool item ${order} has an invalid header`);
  return { order, meta: meta.data, body: file.subarray(4 + headLength), size: file.length };
}
