/**
 * The one place that binds each message type to its subject, stream, schema and
 * de-duplication id. Publishing and handling are type-checked by message type:
 * `publish('segment.stored', payload)` only compiles with a SegmentStored payload.
 */
import type { z } from 'zod';
import { assertToken } from './naming';
import type { StreamKey } from './streams';
import {
  agentRevokeReplyV1,
  agentRevokeRequestV1,
  agentsListReplyV1,
  agentsListRequestV1,
  enrolTokenCreateReplyV1,
  enrolTokenCreateRequestV1,
} from './messages/agents-rpc';
import { auditRecordedV1 } from './messages/audit';
import {
  catalogEventsReplyV1,
  catalogEventsRequestV1,
  catalogMetricsReplyV1,
  catalogMetricsRequestV1,
  catalogRecordingReplyV1,
  catalogRecordingRequestV1,
  catalogSearchReplyV1,
  catalogSearchRequestV1,
  catalogSessionReplyV1,
  catalogSessionRequestV1,
} from './messages/catalog-rpc';
import {
  policyDetectionEvaluateReplyV1,
  policyDetectionEvaluateRequestV1,
  policyDetectionTestReplyV1,
  policyDetectionTestRequestV1,
} from './messages/detection-policy-rpc';
import { eventRecordedV1, networkSampleV1 } from './messages/event';
import {
  policyGetReplyV1,
  policyGetRequestV1,
  policyListVersionsReplyV1,
  policyListVersionsRequestV1,
  policyPutReplyV1,
  policyPutRequestV1,
  policyTestReplyV1,
  policyTestRequestV1,
} from './messages/policy-admin-rpc';
import { policyEvaluateReplyV1, policyEvaluateRequestV1 } from './messages/policy-rpc';
import {
  policyResponsesTestReplyV1,
  policyResponsesTestRequestV1,
} from './messages/response-rules-rpc';
import {
  agentRevokedV1,
  commandResultV1,
  controlCommandV1,
  responseRequestedV1,
} from './messages/response';
import { segmentGapV1, segmentStoredV1 } from './messages/segment';
import {
  recordingStartedV1,
  recordingStoppedV1,
  sessionEndedV1,
  sessionStartedV1,
} from './messages/session';

export interface MessageContract<S extends z.ZodType = z.ZodType> {
  readonly stream: StreamKey;
  /** Relative subject, or its fixed head when `route` adds tokens from the payload. */
  readonly subject: string;
  readonly schema: S;
  /** Extra subject tokens taken from the payload (for example the agent id). */
  readonly route?: (payload: z.output<S>) => string;
  /** JetStream de-duplication id: the same fact always gets the same id. */
  readonly messageId: (payload: z.output<S>) => string;
  readonly description: string;
}

function message<S extends z.ZodType>(contract: MessageContract<S>): MessageContract<S> {
  return contract;
}

export const MESSAGES = {
  'session.started': message({
    stream: 'SESSIONS',
    subject: 'session.started',
    schema: sessionStartedV1,
    messageId: (p) => `session.started:${p.sessionId}`,
    description: 'A user session began on a host',
  }),
  'session.ended': message({
    stream: 'SESSIONS',
    subject: 'session.ended',
    schema: sessionEndedV1,
    messageId: (p) => `session.ended:${p.sessionId}`,
    description: 'A session ended (logout, disconnect, or closed after its host went silent)',
  }),
  'recording.started': message({
    stream: 'SESSIONS',
    subject: 'session.recording.started',
    schema: recordingStartedV1,
    messageId: (p) => `recording.started:${p.recordingId}`,
    description: 'Recording of a session started, with the reason and deciding rule',
  }),
  'recording.stopped': message({
    stream: 'SESSIONS',
    subject: 'session.recording.stopped',
    schema: recordingStoppedV1,
    messageId: (p) => `recording.stopped:${p.recordingId}`,
    description: 'Recording of a session stopped, with the reason',
  }),
  'segment.stored': message({
    stream: 'SEGMENTS',
    subject: 'segment.stored',
    schema: segmentStoredV1,
    messageId: (p) => `segment:${p.recordingId}:${p.seq}`,
    description: 'A segment is durable in the object store',
  }),
  'segment.gap': message({
    stream: 'SEGMENTS',
    subject: 'segment.gap',
    schema: segmentGapV1,
    messageId: (p) => `gap:${p.recordingId}:${p.fromSeq}-${p.toSeq}`,
    description: 'Sequences missing before a later segment arrived',
  }),
  event: message({
    stream: 'EVENTS',
    subject: 'event',
    schema: eventRecordedV1,
    route: (p) => p.type,
    messageId: (p) => `event:${p.eventId}`,
    description: 'An event detected on a session host; subject event.<type>',
  }),
  'metric.network': message({
    stream: 'METRICS',
    subject: 'metric.network',
    schema: networkSampleV1,
    messageId: (p) => `metric:${p.sampleId}`,
    description: 'Network quality of the user connection',
  }),
  'response.requested': message({
    stream: 'RESPONSES',
    subject: 'response.requested',
    schema: responseRequestedV1,
    messageId: (p) => `response:${p.responseId}`,
    description: 'A response rule matched: an action for the responder to carry out',
  }),
  'command.result': message({
    stream: 'RESPONSES',
    subject: 'response.command',
    schema: commandResultV1,
    route: (p) => p.status,
    messageId: (p) => `command:${p.commandId}:${p.status}`,
    description: 'An agent acknowledged a command, or it failed or timed out',
  }),
  'control.command': message({
    stream: 'CONTROL',
    subject: 'control.agent',
    schema: controlCommandV1,
    route: (p) => assertToken(p.agentId, 'agentId'),
    messageId: (p) => `control:${p.commandId}`,
    description: 'A command for one agent; subject control.agent.<agentId>',
  }),
  'agent.revoked': message({
    stream: 'CONTROL',
    subject: 'control.revoked',
    schema: agentRevokedV1,
    messageId: (p) => `revoked:${p.agentId}`,
    description: 'An agent was revoked; ingest closes its connections and refuses its calls',
  }),
  audit: message({
    stream: 'AUDIT',
    subject: 'audit',
    schema: auditRecordedV1,
    route: (p) => p.action,
    messageId: (p) => `audit:${p.auditId}`,
    description: 'An audited action; subject audit.<action>',
  }),
} as const;

export type MessageType = keyof typeof MESSAGES;
/** The validated payload of a message type (defaults applied). */
export type MessageOf<T extends MessageType> = z.output<(typeof MESSAGES)[T]['schema']>;
/** What a publisher may pass (fields with defaults may be omitted). */
export type MessageInput<T extends MessageType> = z.input<(typeof MESSAGES)[T]['schema']>;

/** Relative subject of one message: the contract's subject plus its routed tokens. */
export function subjectOf<T extends MessageType>(type: T, payload: MessageOf<T>): string {
  const contract = MESSAGES[type] as MessageContract;
  return contract.route ? `${contract.subject}.${contract.route(payload)}` : contract.subject;
}

/** Relative filter subject that captures every message of a type. */
export function filterOf(type: MessageType): string {
  const contract = MESSAGES[type] as MessageContract;
  return contract.route ? `${contract.subject}.>` : contract.subject;
}

/** The message type a concrete relative subject belongs to, if any. */
export function typeOfSubject(relative: string): MessageType | undefined {
  for (const [type, c] of Object.entries(MESSAGES) as [MessageType, MessageContract][]) {
    if (c.route ? relative.startsWith(`${c.subject}.`) : relative === c.subject) return type;
  }
  return undefined;
}

/** Request/reply questions over core NATS, answered within a timeout. */
export interface RequestContract<Q extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  readonly subject: string;
  readonly request: Q;
  readonly reply: R;
  readonly description: string;
}

export const REQUESTS = {
  'policy.evaluate': {
    subject: 'rpc.policy.evaluate',
    request: policyEvaluateRequestV1,
    reply: policyEvaluateReplyV1,
    description: 'Should this session (and focused application) be recorded, and why',
  },
  'policy.get': {
    subject: 'rpc.policy.get',
    request: policyGetRequestV1,
    reply: policyGetReplyV1,
    description: 'The active recording policy and its version (null before the first)',
  },
  'policy.list-versions': {
    subject: 'rpc.policy.list-versions',
    request: policyListVersionsRequestV1,
    reply: policyListVersionsReplyV1,
    description: 'The stored versions of the recording policy, newest first',
  },
  'policy.put': {
    subject: 'rpc.policy.put',
    request: policyPutRequestV1,
    reply: policyPutReplyV1,
    description: 'Validate and publish a new recording policy version (field errors if invalid)',
  },
  'policy.test': {
    subject: 'rpc.policy.test',
    request: policyTestRequestV1,
    reply: policyTestReplyV1,
    description: 'Would this sample session be recorded, and by which rule',
  },
  'policy.detection.get': {
    subject: 'rpc.policy.detection.get',
    request: policyGetRequestV1,
    reply: policyGetReplyV1,
    description: 'The active detection policy and its version (null before the first)',
  },
  'policy.detection.list-versions': {
    subject: 'rpc.policy.detection.list-versions',
    request: policyListVersionsRequestV1,
    reply: policyListVersionsReplyV1,
    description: 'The stored versions of the detection policy, newest first',
  },
  'policy.detection.put': {
    subject: 'rpc.policy.detection.put',
    request: policyPutRequestV1,
    reply: policyPutReplyV1,
    description: 'Validate and publish a new detection policy version (field errors if invalid)',
  },
  'policy.detection.evaluate': {
    subject: 'rpc.policy.detection.evaluate',
    request: policyDetectionEvaluateRequestV1,
    reply: policyDetectionEvaluateReplyV1,
    description: 'Which events a host reports, and how, for this user on this host',
  },
  'policy.detection.test': {
    subject: 'rpc.policy.detection.test',
    request: policyDetectionTestRequestV1,
    reply: policyDetectionTestReplyV1,
    description: 'What a host would detect for this sample, under the active policy or a draft',
  },
  'policy.responses.get': {
    subject: 'rpc.policy.responses.get',
    request: policyGetRequestV1,
    reply: policyGetReplyV1,
    description: 'The active response rules and their version (null before the first)',
  },
  'policy.responses.list-versions': {
    subject: 'rpc.policy.responses.list-versions',
    request: policyListVersionsRequestV1,
    reply: policyListVersionsReplyV1,
    description: 'The stored versions of the response rules, newest first',
  },
  'policy.responses.put': {
    subject: 'rpc.policy.responses.put',
    request: policyPutRequestV1,
    reply: policyPutReplyV1,
    description: 'Validate and publish a new response rules version (field errors if invalid)',
  },
  'policy.responses.test': {
    subject: 'rpc.policy.responses.test',
    request: policyResponsesTestRequestV1,
    reply: policyResponsesTestReplyV1,
    description: 'Which response rules a sample event matches, under the active rules or a draft',
  },
  'policy.viewing.get': {
    subject: 'rpc.policy.viewing.get',
    request: policyGetRequestV1,
    reply: policyGetReplyV1,
    description: 'The active viewing policy and its version (null before the first)',
  },
  'policy.viewing.list-versions': {
    subject: 'rpc.policy.viewing.list-versions',
    request: policyListVersionsRequestV1,
    reply: policyListVersionsReplyV1,
    description: 'The stored versions of the viewing policy, newest first',
  },
  'policy.viewing.put': {
    subject: 'rpc.policy.viewing.put',
    request: policyPutRequestV1,
    reply: policyPutReplyV1,
    description: 'Validate and publish a new viewing policy version (field errors if invalid)',
  },
  'catalog.search': {
    subject: 'rpc.catalog.search',
    request: catalogSearchRequestV1,
    reply: catalogSearchReplyV1,
    description: 'Sessions matching filters and free text, with matching events and facets',
  },
  'catalog.session': {
    subject: 'rpc.catalog.session',
    request: catalogSessionRequestV1,
    reply: catalogSessionReplyV1,
    description: 'One session with its recordings and counts (null when unknown)',
  },
  'catalog.events': {
    subject: 'rpc.catalog.events',
    request: catalogEventsRequestV1,
    reply: catalogEventsReplyV1,
    description: "A page of a session's events: the player's timeline track",
  },
  'catalog.recording': {
    subject: 'rpc.catalog.recording',
    request: catalogRecordingRequestV1,
    reply: catalogRecordingReplyV1,
    description:
      "A page of a recording's segments (optionally a time range), its gaps and liveness",
  },
  'catalog.metrics': {
    subject: 'rpc.catalog.metrics',
    request: catalogMetricsRequestV1,
    reply: catalogMetricsReplyV1,
    description: "A page of a session's network-quality samples",
  },
  'agents.list': {
    subject: 'rpc.agents.list',
    request: agentsListRequestV1,
    reply: agentsListReplyV1,
    description: 'Enrolled agents, newest first, with revocation',
  },
  'agents.enrol-token.create': {
    subject: 'rpc.agents.enrol-token.create',
    request: enrolTokenCreateRequestV1,
    reply: enrolTokenCreateReplyV1,
    description: 'A one-time, expiring enrolment token (returned once, stored hashed)',
  },
  'agents.revoke': {
    subject: 'rpc.agents.revoke',
    request: agentRevokeRequestV1,
    reply: agentRevokeReplyV1,
    description: 'Revoke an agent: refused at once by every ingest instance',
  },
} as const satisfies Record<string, RequestContract>;

export type RequestType = keyof typeof REQUESTS;
export type RequestOf<T extends RequestType> = z.output<(typeof REQUESTS)[T]['request']>;
export type ReplyOf<T extends RequestType> = z.output<(typeof REQUESTS)[T]['reply']>;
