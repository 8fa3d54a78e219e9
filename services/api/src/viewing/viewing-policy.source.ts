/**
 * The viewing policy in force, as the api enforces it: asked of the policy service
 * (`policy.viewing.get`), kept for a short while, and refreshed at once when the policy
 * service announces a change on core NATS. Before the first viewing policy is published
 * the built-in one applies. Fails closed: when the policy cannot be learnt and nothing is
 * known yet, reads of recordings get a 503 rather than an unchecked answer; a stored
 * document that no longer validates lets nobody view until it is replaced.
 */
import type { Subscription } from '@nats-io/nats-core';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import {
  BUILT_IN_VIEWING_POLICY,
  fullSubject,
  POLICY_CHANGED_SUBJECT,
  policyChangedV1,
  validateViewingPolicy,
  type ViewingPolicyDocument,
} from '@sessionrec/contracts';
import { Messaging, MessagingConnection } from '@sessionrec/messaging';
import { ServiceUnavailableError } from '../http/api-errors';

/** How long a fetched policy is trusted without a change notice (a missed notice heals). */
const FRESH_MS = 30_000;
const ASK_TIMEOUT_MS = 2_000;
const NOBODY: ViewingPolicyDocument = { name: 'Unreadable viewing policy', rules: [] };

export interface ActiveViewingPolicy {
  /** 0 for the built-in policy. */
  readonly version: number;
  readonly document: ViewingPolicyDocument;
}

@Injectable()
export class ViewingPolicySource implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ViewingPolicy');
  private current: ActiveViewingPolicy | undefined;
  private fetchedAt = 0;
  private loading: Promise<ActiveViewingPolicy> | undefined;
  private sub: Subscription | undefined;

  constructor(
    private readonly messaging: Messaging,
    private readonly connection: MessagingConnection,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const nc = await this.connection.nc();
    this.sub = nc.subscribe(
      fullSubject(this.connection.options.namespace, POLICY_CHANGED_SUBJECT),
      {
        callback: (err, msg) => {
          if (err) return;
          const parsed = policyChangedV1.safeParse(safeJson(msg.data));
          if (!parsed.success) return;
          if (parsed.data.kind !== undefined && parsed.data.kind !== 'viewing') return;
          this.fetchedAt = 0;
          this.active().catch(() => undefined);
        },
      },
    );
  }

  onModuleDestroy(): void {
    this.sub?.unsubscribe();
  }

  /** The policy to enforce now. */
  async active(): Promise<ActiveViewingPolicy> {
    if (this.current && Date.now() - this.fetchedAt < FRESH_MS) return this.current;
    this.loading ??= this.fetch().finally(() => (this.loading = undefined));
    return this.loading;
  }

  /**
   * The policy as the policy service has it now (asked at once, not from the cache), which
   * then becomes the one enforced: what a viewing test answers from, so a test just after
   * a publish sees the new version. Fails (503) as `active` does.
   */
  async fresh(): Promise<ActiveViewingPolicy> {
    const loading = this.fetch();
    this.loading = loading.finally(() => (this.loading = undefined));
    return loading;
  }

  private async fetch(): Promise<ActiveViewingPolicy> {
    let reply;
    try {
      reply = await this.messaging.request(
        'policy.viewing.get',
        { v: 1 },
        { timeoutMs: ASK_TIMEOUT_MS },
      );
    } catch (err) {
      if (this.current) {
        this.logger.warn(
          `viewing policy not refreshed (${(err as Error).message}); keeping version ${this.current.version}`,
        );
        return this.current;
      }
      throw new ServiceUnavailableError(
        'the viewing policy cannot be read: policy service unavailable',
        5,
      );
    }
    this.current = this.toActive(reply.active);
    this.fetchedAt = Date.now();
    return this.current;
  }

  private toActive(
    active: { info: { version: number }; document: unknown } | null,
  ): ActiveViewingPolicy {
    if (!active) return { version: 0, document: BUILT_IN_VIEWING_POLICY };
    const valid = validateViewingPolicy(active.document);
    if (valid.ok) return { version: active.info.version, document: valid.document };
    this.logger.error(
      `viewing policy version ${active.info.version} is invalid (${valid.errors[0]?.path}: ${valid.errors[0]?.message}); nobody may view until it is replaced`,
    );
    return { version: active.info.version, document: NOBODY };
  }
}

function safeJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
}
