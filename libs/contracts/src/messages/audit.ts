/** The audit trail: who watched, shared, exported or changed what (stream AUDIT). */
import { z } from 'zod';
import { attributes, id, isoTime, text } from '../primitives';

export const auditRecordedV1 = z.strictObject({
  v: z.literal(1),
  auditId: id,
  at: isoTime,
  actor: z.strictObject({
    type: z.enum(['user', 'agent', 'share-link', 'system']),
    id: text(256),
    name: text(256).optional(),
  }),
  /** Dotted verb, also the subject tail: recording.view, share.create, policy.update ... */
  action: z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*){1,3}$/),
  target: z.strictObject({ type: text(64), id: text(256) }),
  details: attributes.default({}),
});
export type AuditRecorded = z.infer<typeof auditRecordedV1>;
