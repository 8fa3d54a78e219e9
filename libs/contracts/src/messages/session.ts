/** Session and recording lifecycle messages (stream SESSIONS). */
import { z } from 'zod';
import {
  agentId,
  hostName,
  id,
  ipAddress,
  isoTime,
  recordingReason,
  sessionProtocol,
  text,
  userName,
} from '../primitives';

export const sessionStartedV1 = z.strictObject({
  v: z.literal(1),
  sessionId: id,
  agentId,
  host: hostName,
  user: userName,
  groups: z.array(text(256)).max(256),
  clientAddress: ipAddress.optional(),
  protocol: sessionProtocol,
  startedAt: isoTime,
});
export type SessionStarted = z.infer<typeof sessionStartedV1>;

export const sessionEndedV1 = z.strictObject({
  v: z.literal(1),
  sessionId: id,
  agentId,
  endedAt: isoTime,
  /** logout, disconnect, host-silent (closed by the indexer after a timeout), ... */
  reason: text(64),
});
export type SessionEnded = z.infer<typeof sessionEndedV1>;

const recordingChange = {
  v: z.literal(1),
  sessionId: id,
  recordingId: id,
  agentId,
  at: isoTime,
  reason: recordingReason,
  /** The policy rule and version that decided, when policy decided. */
  ruleId: text(128).optional(),
  policyVersion: z.number().int().nonnegative().optional(),
  /** The administrator who started or stopped it, for reason "admin". */
  actor: text(256).optional(),
};

export const recordingStartedV1 = z.strictObject({
  ...recordingChange,
  kind: z.enum(['screen', 'terminal']),
});
export type RecordingStarted = z.infer<typeof recordingStartedV1>;

export const recordingStoppedV1 = z.strictObject(recordingChange);
export type RecordingStopped = z.infer<typeof recordingStoppedV1>;
