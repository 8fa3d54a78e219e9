/** Response requests, agent commands and their results (streams RESPONSES, CONTROL). */
import { z } from 'zod';
import { agentId, attributes, id, isoTime, text } from '../primitives';

export const responseAction = z.enum([
  'notify',
  'lock',
  'disconnect',
  'logoff',
  'block-transfer',
  'start-recording',
]);

export const responseRequestedV1 = z.strictObject({
  v: z.literal(1),
  responseId: id,
  ruleId: text(128),
  sessionId: id,
  agentId,
  action: responseAction,
  /** The events that matched the rule. */
  eventIds: z.array(id).max(1000),
  params: attributes.default({}),
  requestedAt: isoTime,
});
export type ResponseRequested = z.infer<typeof responseRequestedV1>;

export const controlAction = z.enum([
  'start-recording',
  'stop-recording',
  'lock',
  'unlock',
  'disconnect',
  'logoff',
  'block-transfer',
  'notice',
  'policy-updated',
]);
export type ControlAction = z.infer<typeof controlAction>;

export const controlCommandV1 = z.strictObject({
  v: z.literal(1),
  commandId: id,
  agentId,
  sessionId: id.optional(),
  action: controlAction,
  params: attributes.default({}),
  issuedAt: isoTime,
  /** A command not acknowledged by then is reported timed-out. */
  expiresAt: isoTime,
  /** Who asked: a user name, or `rule:<id>` for automatic responses. */
  issuedBy: text(256),
});
export type ControlCommand = z.infer<typeof controlCommandV1>;

export const commandResultV1 = z.strictObject({
  v: z.literal(1),
  commandId: id,
  agentId,
  status: z.enum(['acked', 'failed', 'timed-out']),
  detail: z.string().max(2000).optional(),
  at: isoTime,
});
export type CommandResult = z.infer<typeof commandResultV1>;

/** An agent's credential was revoked: every ingest instance refuses it at once. */
export const agentRevokedV1 = z.strictObject({
  v: z.literal(1),
  agentId,
  revokedAt: isoTime,
  revokedBy: text(256),
  reason: z.string().max(500).optional(),
});
export type AgentRevoked = z.infer<typeof agentRevokedV1>;
