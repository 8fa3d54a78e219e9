/**
 * Publishes what people do through the api to the AUDIT stream (sign-ins, recordings
 * viewed and exported), which the SIEM consumes and a later issue stores. Publishing is
 * awaited so the fact is durable before the answer goes out, but a failure to publish
 * is logged and does not fail the request: the recording and the viewer stay usable
 * while NATS recovers (the log line then carries what was not published).
 */
import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { MessageInput } from '@sessionrec/contracts';
import { Messaging } from '@sessionrec/messaging';
import type { Principal } from '../auth/roles';

type Attributes = Record<string, string | number | boolean | null>;

export interface AuditFact {
  readonly action: string;
  readonly actor: { type: MessageInput<'audit'>['actor']['type']; id: string; name?: string };
  readonly target: { type: string; id: string };
  readonly details?: Attributes;
}

@Injectable()
export class AuditService {
  private readonly logger = new Logger('Audit');

  constructor(private readonly messaging: Messaging) {}

  async record(fact: AuditFact): Promise<void> {
    const payload: MessageInput<'audit'> = {
      v: 1,
      auditId: randomUUID(),
      at: new Date().toISOString(),
      actor: fact.actor,
      action: fact.action,
      target: fact.target,
      details: fact.details ?? {},
    };
    try {
      await this.messaging.publish('audit', payload);
    } catch (err) {
      this.logger.warn(
        `audit ${fact.action} on ${fact.target.type} ${fact.target.id} by ${fact.actor.id} not published: ${(err as Error).message}`,
      );
    }
  }

  /** A signed-in user did `action` on a target. */
  async byUser(
    principal: Principal,
    action: string,
    target: { type: string; id: string },
    details?: Attributes,
  ): Promise<void> {
    await this.record({
      action,
      actor: { type: 'user', id: principal.userId, name: principal.username },
      target,
      ...(details ? { details } : {}),
    });
  }
}
