/**
 * Holds the compiled active policy in memory. Every instance reloads from PostgreSQL when
 * any instance announces a change on a core NATS subject (no stream, no durable
 * consumer: each running process simply hears it), and once at start.
 */
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { Subscription } from '@nats-io/nats-core';
import {
  fullSubject,
  POLICY_CHANGED_SUBJECT,
  validateRecordingPolicy,
} from '@sessionrec/contracts';
import { MessagingConnection } from '@sessionrec/messaging';
import { PolicyStore } from '../store/policy.store';
import { CompiledPolicy } from './compiled-policy';

@Injectable()
export class ActivePolicy implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ActivePolicy.name);
  private current = CompiledPolicy.builtInDefault();
  private sub: Subscription | undefined;
  private loading: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: PolicyStore,
    private readonly connection: MessagingConnection,
  ) {}

  get policy(): CompiledPolicy {
    return this.current;
  }

  async onApplicationBootstrap(): Promise<void> {
    const nc = await this.connection.nc();
    this.sub = nc.subscribe(
      fullSubject(this.connection.options.namespace, POLICY_CHANGED_SUBJECT),
      {
        callback: (err) => {
          if (err) this.logger.warn(`policy change subscription: ${err.message}`);
          else void this.reload();
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
        this.logger.error(`could not load the recording policy: ${String(err)}`);
      }),
    );
    return this.loading;
  }

  /** Announces a change to every instance (this one included). */
  async announce(version: number): Promise<void> {
    const nc = await this.connection.nc();
    nc.publish(
      fullSubject(this.connection.options.namespace, POLICY_CHANGED_SUBJECT),
      JSON.stringify({ v: 1, version, changedAt: new Date().toISOString() }),
    );
  }

  private async load(): Promise<void> {
    const stored = await this.store.active();
    if (!stored) {
      this.current = CompiledPolicy.builtInDefault();
      return;
    }
    if (stored.info.version <= this.current.version && this.current.version !== 0) return;
    const valid = validateRecordingPolicy(stored.document);
    if (!valid.ok) {
      this.logger.error(
        `stored policy version ${stored.info.version} is invalid; keeping the current one`,
      );
      return;
    }
    this.current = CompiledPolicy.compile(valid.document, stored.info.version);
    this.logger.log(`recording policy version ${stored.info.version} active`);
  }
}
