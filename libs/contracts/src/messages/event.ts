/** Events detected on session hosts (stream EVENTS) and network metrics (METRICS). */
import { z } from 'zod';
import { EVENT_TYPE_NAMES } from '../event-types';
import { agentId, attributes, id, isoTime } from '../primitives';

export const eventRecordedV1 = z.strictObject({
  v: z.literal(1),
  eventId: id,
  sessionId: id,
  agentId,
  recordingId: id.optional(),
  type: z.enum(EVENT_TYPE_NAMES),
  /** Wall-clock time on the host. */
  at: isoTime,
  /** Milliseconds since the session started: where the player jumps. */
  offsetMs: z.number().int().nonnegative(),
  attributes: attributes.default({}),
});
export type EventRecorded = z.infer<typeof eventRecordedV1>;

export const networkSampleV1 = z.strictObject({
  v: z.literal(1),
  sampleId: id,
  sessionId: id,
  agentId,
  at: isoTime,
  offsetMs: z.number().int().nonnegative(),
  rttMs: z.number().nonnegative(),
  jitterMs: z.number().nonnegative(),
  retransmits: z.number().int().nonnegative(),
  throughputBps: z.number().nonnegative(),
});
export type NetworkSample = z.infer<typeof networkSampleV1>;
