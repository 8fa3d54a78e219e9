/**
 * Registers the readiness checks of the connections a service holds: NATS with
 * JetStream answering, and (when the service owns tables) PostgreSQL with its
 * migrations applied. The object store registers its own in StorageModule.
 */
import { Inject, Module, type OnModuleInit, Optional } from '@nestjs/common';
import { databaseReadiness } from '@sessionrec/database';
import { MessagingConnection } from '@sessionrec/messaging';
import { HealthRegistry } from '@sessionrec/telemetry';
import { DataSource } from 'typeorm';

export const DATABASE_OWNER = Symbol('DATABASE_OWNER');

@Module({})
export class ReadinessModule implements OnModuleInit {
  constructor(
    private readonly health: HealthRegistry,
    private readonly messaging: MessagingConnection,
    @Optional() private readonly dataSource?: DataSource,
    @Optional() @Inject(DATABASE_OWNER) private readonly owner?: string,
  ) {}

  onModuleInit(): void {
    this.health.register('nats', async () => {
      const state = await this.messaging.health();
      if (!state.jetstream)
        throw new Error(`NATS JetStream not available: ${state.error ?? 'unknown'}`);
    });
    const dataSource = this.dataSource;
    if (dataSource) {
      this.health.register('database', () => databaseReadiness(dataSource, this.owner));
    }
  }
}
