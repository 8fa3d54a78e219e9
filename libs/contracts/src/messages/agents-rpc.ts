/**
 * Request/reply: the api's questions to ingest about enrolled agents (ingest owns them):
 * list them, create a one-time enrolment token, revoke one. The token travels once, in
 * the reply on core NATS (never stored in a stream); ingest keeps only its SHA-256.
 */
import { z } from 'zod';
import { agentId, isoTime, text } from '../primitives';

const MAX_EXPIRY_SECONDS = 30 * 86_400;

export const agentsListRequestV1 = z.strictObject({
  v: z.literal(1),
  limit: z.number().int().min(1).max(1000).default(200),
});
export type AgentsListRequest = z.infer<typeof agentsListRequestV1>;

export const agentSummary = z.strictObject({
  agentId,
  hostname: text(255),
  os: text(128),
  agentVersion: text(64),
  enrolledAt: isoTime,
  revokedAt: isoTime.optional(),
  revokedBy: text(256).optional(),
});
export type AgentSummary = z.infer<typeof agentSummary>;

export const agentsListReplyV1 = z.strictObject({
  v: z.literal(1),
  /** Newest enrolment first. */
  agents: z.array(agentSummary).max(1000),
});

export const enrolTokenCreateRequestV1 = z.strictObject({
  v: z.literal(1),
  expiresInSeconds: z.number().int().min(60).max(MAX_EXPIRY_SECONDS),
  note: z.string().min(1).max(500).optional(),
  createdBy: text(256),
});
export type EnrolTokenCreateRequest = z.infer<typeof enrolTokenCreateRequestV1>;

export const enrolTokenCreateReplyV1 = z.strictObject({
  v: z.literal(1),
  tokenId: z.uuid(),
  /** Shown once to whoever asked; only its SHA-256 is kept. */
  token: z.string().regex(/^sre_[A-Za-z0-9_-]{43}$/),
  expiresAt: isoTime,
});

export const agentRevokeRequestV1 = z.strictObject({
  v: z.literal(1),
  agentId,
  revokedBy: text(256),
  reason: z.string().min(1).max(500).optional(),
});
export type AgentRevokeRequest = z.infer<typeof agentRevokeRequestV1>;

export const agentRevokeReplyV1 = z.strictObject({
  v: z.literal(1),
  /** Null when there is no such agent. */
  revokedAt: isoTime.nullable(),
});
