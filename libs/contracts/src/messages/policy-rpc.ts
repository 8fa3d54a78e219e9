/** Request/reply: the policy decision asked at session start and on focus change. */
import { z } from 'zod';
import { agentId, hostName, id, ipAddress, text, userName } from '../primitives';
import { captureSettings, eventTriggers } from './policy-document';

export const policyEvaluateRequestV1 = z.strictObject({
  v: z.literal(1),
  sessionId: id,
  agentId,
  user: userName,
  groups: z.array(text(256)).max(256),
  host: hostName,
  clientAddress: ipAddress.optional(),
  protocol: z.enum(['desktop', 'terminal']),
  application: text(512).optional(),
  at: z.iso.datetime({ offset: true }),
});
export type PolicyEvaluateRequest = z.infer<typeof policyEvaluateRequestV1>;

export const policyEvaluateReplyV1 = z.strictObject({
  v: z.literal(1),
  decision: z.enum(['record', 'do-not-record', 'record-on-event']),
  ruleId: text(128),
  policyVersion: z.number().int().nonnegative(),
  notice: z.string().max(4000).optional(),
  /** Added with issue 7; optional so older askers and answerers keep working. */
  capture: captureSettings.optional(),
  triggers: eventTriggers.optional(),
  retentionClass: text(64).optional(),
});
export type PolicyEvaluateReply = z.infer<typeof policyEvaluateReplyV1>;
