/**
 * The agent protocol, version 1: what a session-host agent sends to ingest over
 * HTTPS (`/agent/v1/...`) and exchanges on its control WebSocket. Every request body
 * is decoded with these schemas before any logic runs.
 */
import { z } from 'zod';
import { EVENT_TYPE_NAMES } from '../event-types';
import {
  attributes,
  hostName,
  id,
  ipAddress,
  isoTime,
  recordingReason,
  sessionProtocol,
  sha256Hex,
  text,
  userName,
} from '../primitives';
import { controlAction } from '../messages/response';

export const AGENT_PROTOCOL_VERSION = 1;
export const AGENT_BASE_PATH = '/agent/v1';

/** Largest segment ingest accepts; larger uploads get 413. */
export const MAX_SEGMENT_BYTES = 16 * 1024 * 1024;
export const MAX_EVENTS_PER_BATCH = 500;
export const MAX_METRICS_PER_BATCH = 500;

/** POST /agent/v1/enrol — one-time enrolment token for an identity and credential. */
export const enrolRequest = z.strictObject({
  token: text(256),
  hostname: hostName,
  os: text(128),
  agentVersion: text(64),
});
export type EnrolRequest = z.infer<typeof enrolRequest>;

export const enrolResponse = z.strictObject({
  agentId: id,
  /** Shown once; the server stores only its hash. */
  credential: text(512),
});
export type EnrolResponse = z.infer<typeof enrolResponse>;

/** Who and where a session is: what policy decides on. */
const sessionIdentity = {
  user: userName,
  groups: z.array(text(256)).max(256).default([]),
  host: hostName,
  clientAddress: ipAddress.optional(),
  protocol: sessionProtocol,
};

/** POST /agent/v1/sessions */
export const sessionStartRequest = z.strictObject({
  sessionId: id,
  ...sessionIdentity,
  startedAt: isoTime,
});
export type SessionStartRequest = z.infer<typeof sessionStartRequest>;

/**
 * POST /agent/v1/policy/evaluate — the recording decision for a session that is starting
 * or whose focused application changed. Answered by ingest from the policy service, or
 * with ingest's failure mode when policy cannot answer in time; an agent that cannot reach
 * ingest at all applies its own configured failure mode.
 */
export const policyEvaluateRequest = z.strictObject({
  ...sessionIdentity,
  sessionId: id,
  /** The focused application (process name), when the question is about a focus change. */
  application: text(512).optional(),
  at: isoTime,
});
export type PolicyEvaluateRequest = z.infer<typeof policyEvaluateRequest>;
export { policyEvaluateReplyV1 as policyEvaluateResponse } from '../messages/policy-rpc';

/**
 * POST /agent/v1/policy/detection — which events this host reports for a session of this
 * user, and how (mount points, idle threshold, command lines and window titles). 503 when
 * the policy service cannot answer: the agent keeps what it last knew (or, knowing
 * nothing, reports everything).
 */
export const detectionRequest = z.strictObject({
  user: userName,
  groups: z.array(text(256)).max(256).default([]),
  host: hostName,
});
export type DetectionRequest = z.infer<typeof detectionRequest>;
export { policyDetectionEvaluateReplyV1 as detectionResponse } from '../messages/detection-policy-rpc';

/** POST /agent/v1/sessions/{sessionId}/end */
export const sessionEndRequest = z.strictObject({
  endedAt: isoTime,
  reason: text(64),
});

/** POST /agent/v1/sessions/{sessionId}/recordings */
export const recordingStartRequest = z.strictObject({
  recordingId: id,
  kind: z.enum(['screen', 'terminal']),
  at: isoTime,
  reason: recordingReason,
  ruleId: text(128).optional(),
  policyVersion: z.number().int().nonnegative().optional(),
  actor: text(256).optional(),
});

/** POST /agent/v1/recordings/{recordingId}/stop */
export const recordingStopRequest = z.strictObject({
  at: isoTime,
  reason: recordingReason,
  actor: text(256).optional(),
});

/**
 * PUT /agent/v1/recordings/{recordingId}/segments/{seq} — the body is the raw segment;
 * its metadata travels in these headers.
 */
export const segmentUploadHeaders = z.object({
  'x-segment-sha256': sha256Hex,
  'x-segment-prev-sha256': sha256Hex.optional(),
  'x-segment-kind': z.enum(['init', 'media', 'cast']),
  'x-segment-start-ms': z.coerce.number().int().nonnegative(),
  'x-segment-end-ms': z.coerce.number().int().nonnegative(),
});

const agentEvent = z.strictObject({
  eventId: id,
  type: z.enum(EVENT_TYPE_NAMES),
  at: isoTime,
  offsetMs: z.number().int().nonnegative(),
  recordingId: id.optional(),
  attributes: attributes.default({}),
});

/** POST /agent/v1/sessions/{sessionId}/events */
export const eventBatchRequest = z.strictObject({
  events: z.array(agentEvent).min(1).max(MAX_EVENTS_PER_BATCH),
});
export type EventBatchRequest = z.infer<typeof eventBatchRequest>;

const metricSample = z.strictObject({
  sampleId: id,
  at: isoTime,
  offsetMs: z.number().int().nonnegative(),
  rttMs: z.number().nonnegative(),
  jitterMs: z.number().nonnegative(),
  retransmits: z.number().int().nonnegative(),
  throughputBps: z.number().nonnegative(),
});

/** POST /agent/v1/sessions/{sessionId}/metrics */
export const metricBatchRequest = z.strictObject({
  samples: z.array(metricSample).min(1).max(MAX_METRICS_PER_BATCH),
});

/**
 * POST /agent/v1/batches — the event and metric batches of several of the agent's
 * sessions in one request: a host with many sessions sends what they have ready together
 * instead of a request per session. Each item is decoded and answered on its own (one bad
 * or refused batch does not fail the others); `batch` is the body the per-session route
 * takes.
 */
export const MAX_BATCHES_PER_REQUEST = 128;
/** Largest body of a combined request; the agent packs requests well below it. */
export const MAX_BATCHES_REQUEST_BYTES = 2 * 1024 * 1024;
export const batchesRequest = z.strictObject({
  batches: z
    .array(
      z.strictObject({
        kind: z.enum(['events', 'metrics']),
        sessionId: id,
        batch: z.unknown(),
      }),
    )
    .min(1)
    .max(MAX_BATCHES_PER_REQUEST),
});
export type BatchesRequest = z.infer<typeof batchesRequest>;

/** One answer per batch, in the request's order: what the per-session route would answer. */
export const batchResult = z.union([
  z.strictObject({ status: z.literal(202), accepted: z.number().int().nonnegative() }),
  z.strictObject({
    status: z.number().int().min(400).max(599),
    error: z.strictObject({ code: z.string(), message: z.string() }),
  }),
]);
export type BatchResult = z.infer<typeof batchResult>;
export const batchesResponse = z.strictObject({ results: z.array(batchResult) });
export type BatchesResponse = z.infer<typeof batchesResponse>;

/** Frames on the control WebSocket (`/agent/v1/control`). */
export const serverFrame = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('command'),
    commandId: id,
    sessionId: id.optional(),
    action: controlAction,
    params: attributes,
    expiresAt: isoTime,
  }),
  z.strictObject({ type: z.literal('ping'), at: isoTime }),
]);
export type ServerFrame = z.infer<typeof serverFrame>;

export const agentFrame = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('command-result'),
    commandId: id,
    status: z.enum(['acked', 'failed']),
    detail: z.string().max(2000).optional(),
  }),
  z.strictObject({ type: z.literal('pong'), at: isoTime }),
]);
export type AgentFrame = z.infer<typeof agentFrame>;
