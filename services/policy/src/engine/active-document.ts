/**
 * Holds the compiled active document of one policy kind in memory. Every instance reloads
 * from PostgreSQL when any instance announces a change of that kind on a core NATS subject
 * (no stream, no durable consumer: each running process simply hears it), and once at
 * start. The announcement carries the kind, so other hooks (agent pushes) can listen too.
 */
import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Msg, Subscription } from '@nats-io/nats-core';
import {
  fullSubject,
  POLICY_CHANGED_SUBJECT,
  type PolicyChanged,
  policyChangedV1,
  type PolicyKind,
} from '@sessionrec/contracts';
import { type MessagingConnection } from '@sessionrec/messaging';
import { type PolicyStore } from '../store/policy.store';

export abstract class ActiveDocument<C extends { readonly version: number }>
  implements OnApplicationBootstrap, OnModuleDestroy
{
  protected readonly logger = new Logger(this.constructor.name);
  private current: C | undefined;
  private sub: Subscription | undefined;
  private loading: Promise<void> = Promise.resolve();

  protected constructor(
    readonly kind: PolicyKind,
    private readonly store: PolicyStore,
    private readonly connection: MessagingConnection,
  ) {}

  /** What applies before any version of this kind is published. */
  protected abstract builtIn(): C;
  /** The compiled document, or undefined when a stored document no longer validates. */
  protected abstract compile(document: unknown, version: number): C | undefined;

  get compiled(): C {
    this.current ??= this.builtIn();
    return this.current;
  }

  async onApplicationBootstrap(): Promise<void> {
    const nc = await this.connection.nc();
    this.sub = nc.subscribe(
      fullSubject(this.connection.options.namespace, POLICY_CHANGED_SUBJECT),
      {
        callback: (err, msg) => {
          if (err) this.logger.warn(`policy change subscription: ${err.message}`);
          else if (this.concernsMe(msg)) void this.reload();
        },
      },
    );
    await this.reload();
  }

  onModuleDestroy(): void {
    this.sub?.unsubscribe();
  }

  /** Reloads serially so an older read never replaces a newer one. */
  reload(): Promise<void> {
    this.loading = this.loading.then(() =>
      this.load().catch((err: unknown) => {
        this.logger.error(`could not load the ${this.kind} policy: ${String(err)}`);
      }),
    );
    return this.loading;
  }

  /** Announces a change of this kind to every instance (this one included). */
  async announce(version: number): Promise<void> {
    const nc = await this.connection.nc();
    const notice: PolicyChanged = {
      v: 1,
      kind: this.kind,
      version,
      changedAt: new Date().toISOString(),
    };
    nc.publish(
      fullSubject(this.connection.options.namespace, POLICY_CHANGED_SUBJECT),
      JSON.stringify(notice),
    );
  }

  /** An unreadable notice or one without a kind (an older publisher) reloads every kind. */
  private concernsMe(msg: Msg): boolean {
    try {
      const parsed = policyChangedV1.safeParse(msg.json());
      return !parsed.success || parsed.data.kind === undefined || parsed.data.kind === this.kind;
    } catch {
      return true;
    }
  }

  private async load(): Promise<void> {
    const stored = await this.store.active(this.kind);
    if (!stored) {
      this.current = this.builtIn();
      return;
    }
    const current = this.compiled;
    if (stored.info.version <= current.version && current.version !== 0) return;
    const next = this.compile(stored.document, stored.info.version);
    if (!next) {
      this.logger.error(
        `stored ${this.kind} policy version ${stored.info.version} is invalid; keeping the current one`,
      );
      return;
    }
    this.current = next;
    this.logger.log(`${this.kind} policy version ${stored.info.version} active`);
  }
}
