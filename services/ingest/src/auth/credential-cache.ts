/**
 * Verified credentials, kept a few seconds so a busy agent does not cost a database
 * round trip per request. Bounded (oldest entry evicted first) and short-lived, so a
 * revocation missed on NATS still takes effect within the TTL.
 */
export interface CachedAgent {
  agentId: string;
  credentialHash: string;
  expiresAt: number;
}

export class CredentialCache {
  private readonly entries = new Map<string, CachedAgent>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(agentId: string): CachedAgent | undefined {
    const entry = this.entries.get(agentId);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(agentId);
      return undefined;
    }
    return entry;
  }

  set(agentId: string, credentialHash: string): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(agentId);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(agentId, { agentId, credentialHash, expiresAt: this.now() + this.ttlMs });
  }

  delete(agentId: string): void {
    this.entries.delete(agentId);
  }

  get size(): number {
    return this.entries.size;
  }
}
