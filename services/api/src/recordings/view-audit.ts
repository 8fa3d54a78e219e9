/**
 * Audits `recording.view` once per opening, not once per poll: a live HLS playlist is
 * fetched again every few seconds, so repeated opens of one recording with one token
 * within a window count as the same viewing.
 */
import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/roles';

const WINDOW_MS = 10 * 60_000;
const MAX_TRACKED = 50_000;

@Injectable()
export class ViewAudit {
  private readonly seen = new Map<string, number>();

  constructor(private readonly audit: AuditService) {}

  async viewed(
    principal: Principal,
    recordingId: string,
    details: Record<string, string | number | boolean | null>,
  ): Promise<void> {
    const key = `${principal.tokenId}:${recordingId}`;
    const now = Date.now();
    const last = this.seen.get(key);
    if (last !== undefined && now - last < WINDOW_MS) return;
    this.seen.delete(key);
    if (this.seen.size >= MAX_TRACKED) {
      const oldest = this.seen.keys().next();
      if (!oldest.done) this.seen.delete(oldest.value);
    }
    this.seen.set(key, now);
    await this.audit.byUser(
      principal,
      'recording.view',
      { type: 'recording', id: recordingId },
      details,
    );
  }
}
