/**
 * Security events of the upload path (a sequence re-sent with other bytes, a broken hash
 * chain): logged as warnings and published on the audit stream for the SIEM. The audit
 * id is derived from the facts, so an agent retrying the same upload adds no duplicates.
 */
import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { Messaging } from '@sessionrec/messaging';

export type SegmentSecurityAction = 'segment.conflict' | 'segment.chain-mismatch';

export interface SegmentSecurityEvent {
  action: SegmentSecurityAction;
  agentId: string;
  recordingId: string;
  seq: number;
  details: Record<string, string | number | null>;
}

/** A UUID (version 5 layout) from a SHA-256 of the input: same facts, same id. */
export function uuidFromFacts(input: string): string {
  const bytes = createHash('sha256').update(input).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

@Injectable()
export class SecurityEvents {
  private readonly logger = new Logger('SecurityEvent');

  constructor(private readonly messaging: Messaging) {}

  /** Resolves once the audit message is acknowledged; throws (503) if it could not be. */
  async report(event: SegmentSecurityEvent): Promise<void> {
    this.logger.warn(
      `${event.action}: agent ${event.agentId} recording ${event.recordingId} seq ${event.seq} ${JSON.stringify(event.details)}`,
    );
    const facts = JSON.stringify([event.action, event.recordingId, event.seq, event.details]);
    await this.messaging.publish('audit', {
      v: 1,
      auditId: uuidFromFacts(facts),
      at: new Date().toISOString(),
      actor: { type: 'agent', id: event.agentId },
      action: event.action,
      target: { type: 'recording', id: event.recordingId },
      details: { seq: event.seq, ...event.details },
    });
  }
}
