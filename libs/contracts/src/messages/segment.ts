/** Recording segments stored in the object store (stream SEGMENTS). */
import { z } from 'zod';
import { agentId, id, isoTime, sha256Hex, text } from '../primitives';

export const segmentKind = z.enum(['init', 'media', 'cast']);

export const segmentStoredV1 = z.strictObject({
  v: z.literal(1),
  recordingId: id,
  sessionId: id,
  agentId,
  /** 0 for the init segment of a screen recording, then 1, 2, 3 ... */
  seq: z.number().int().nonnegative(),
  kind: segmentKind,
  key: text(512),
  size: z.number().int().nonnegative(),
  sha256: sha256Hex,
  /** SHA-256 of the previous segment: the hash chain. Absent for the first. */
  prevSha256: sha256Hex.optional(),
  /** Session-relative start and end of the segment's content, in milliseconds. */
  startMs: z.number().int().nonnegative(),
  endMs: z.number().int().nonnegative(),
  storedAt: isoTime,
});
export type SegmentStored = z.infer<typeof segmentStoredV1>;

/** Sequences that never arrived before a later one did: recorded, not hidden. */
export const segmentGapV1 = z.strictObject({
  v: z.literal(1),
  recordingId: id,
  sessionId: id,
  agentId,
  fromSeq: z.number().int().nonnegative(),
  toSeq: z.number().int().nonnegative(),
  detectedAt: isoTime,
});
export type SegmentGap = z.infer<typeof segmentGapV1>;
