/**
 * Who is calling: turns `Authorization: Bearer sra_<agentId>_<secret>` into an agent, for
 * the HTTP routes (through AgentAuthGuard) and the control WebSocket. Revocation is
 * immediate on every ingest instance: each subscribes to `agent.revoked` on core NATS,
 * evicts the agent from its cache and tells its listeners (which close WebSockets).
 */
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Subscription } from '@nats-io/nats-core';
import { agentRevokedV1, fullSubject, MESSAGES } from '@sessionrec/contracts';
import { MessagingConnection } from '@sessionrec/messaging';
import { AgentUnauthorizedError } from '../http/api-errors';
import { INGEST_CONFIG, type IngestConfig } from '../ingest-config';
import { AgentRepository } from './agent-repository';
import { CredentialCache } from './credential-cache';
import { hashesEqual, parseCredential, sha256Hex } from './credentials';

export interface AuthenticatedAgent {
  readonly agentId: string;
}

export type RevokedListener = (agentId: string) => void;

/** Revocations seen on NATS are remembered this long, closing the race with a lookup in flight. */
const RECENT_REVOCATION_MS = 10 * 60_000;
const MAX_RECENT_REVOCATIONS = 10_000;
const MAX_AUTHORIZATION_LENGTH = 1024;

@Injectable()
export class AgentAuthService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AgentAuthService.name);
  private readonly cache: CredentialCache;
  private readonly revoked = new Map<string, number>();
  private readonly listeners = new Set<RevokedListener>();
  private subscription?: Subscription;

  constructor(
    private readonly agents: AgentRepository,
    private readonly connection: MessagingConnection,
    @Inject(INGEST_CONFIG) config: IngestConfig,
  ) {
    this.cache = new CredentialCache(
      config.INGEST_AUTH_CACHE_TTL_MS,
      config.INGEST_AUTH_CACHE_SIZE,
    );
  }

  async onModuleInit(): Promise<void> {
    const nc = await this.connection.nc();
    const contract = MESSAGES['agent.revoked'];
    const subject = fullSubject(this.connection.options.namespace, contract.subject);
    this.subscription = nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) {
          this.logger.warn(`agent.revoked subscription error: ${err.message}`);
          return;
        }
        let decoded: unknown;
        try {
          decoded = msg.json();
        } catch {
          decoded = undefined;
        }
        const parsed = agentRevokedV1.safeParse(decoded);
        if (!parsed.success) {
          this.logger.warn(`ignoring a malformed agent.revoked message on ${msg.subject}`);
          return;
        }
        this.markRevoked(parsed.data.agentId);
      },
    });
    await nc.flush();
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  /**
   * Resolves with the agent, or throws AgentUnauthorizedError (401, `{error:{code,message}}`)
   * for a missing, malformed, unknown, forged or revoked credential.
   */
  async authenticate(authorization: string | undefined): Promise<AuthenticatedAgent> {
    if (!authorization) throw new AgentUnauthorizedError('missing Authorization header');
    if (authorization.length > MAX_AUTHORIZATION_LENGTH) {
      throw new AgentUnauthorizedError('malformed Authorization header');
    }
    const match = /^Bearer ([^\s]+)$/i.exec(authorization.trim());
    const parsed = match?.[1] ? parseCredential(match[1]) : undefined;
    if (!parsed) {
      throw new AgentUnauthorizedError(
        'malformed Authorization header: expected "Bearer sra_<agentId>_<secret>"',
      );
    }
    const { agentId } = parsed;
    if (this.isRecentlyRevoked(agentId)) throw this.revokedError();
    const presented = sha256Hex(parsed.credential);
    const cached = this.cache.get(agentId);
    if (cached) {
      if (hashesEqual(cached.credentialHash, presented)) return { agentId };
      throw new AgentUnauthorizedError('invalid credential');
    }
    const row = await this.agents.findAgent(agentId);
    if (!row || !hashesEqual(row.credential_hash, presented)) {
      throw new AgentUnauthorizedError('invalid credential');
    }
    if (row.revoked_at) throw this.revokedError();
    // A revocation may have arrived while the database answered: check again before caching.
    if (this.isRecentlyRevoked(agentId)) throw this.revokedError();
    this.cache.set(agentId, row.credential_hash);
    return { agentId };
  }

  /** Called with the agent id whenever a revocation reaches this instance. */
  onRevoked(listener: RevokedListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Forgets the agent's cached credential and refuses it from now on in this process. */
  markRevoked(agentId: string): void {
    this.cache.delete(agentId);
    this.revoked.delete(agentId);
    while (this.revoked.size >= MAX_RECENT_REVOCATIONS) {
      const oldest = this.revoked.keys().next();
      if (oldest.done) break;
      this.revoked.delete(oldest.value);
    }
    this.revoked.set(agentId, Date.now() + RECENT_REVOCATION_MS);
    this.logger.log(`agent ${agentId} revoked: refusing its calls`);
    for (const listener of this.listeners) {
      try {
        listener(agentId);
      } catch (err) {
        this.logger.warn(`agent.revoked listener failed: ${(err as Error).message}`);
      }
    }
  }

  private isRecentlyRevoked(agentId: string): boolean {
    const until = this.revoked.get(agentId);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.revoked.delete(agentId);
    return false;
  }

  private revokedError(): AgentUnauthorizedError {
    return new AgentUnauthorizedError('agent credential revoked', 'revoked');
  }
}
