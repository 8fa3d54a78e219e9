/**
 * The indexer service: builds the searchable catalogue (schema `catalog`) from the
 * session, segment, event and metric streams and from the terminal output of stored
 * asciicast segments, closes sessions whose host went silent, and answers the catalog.*
 * questions. The platform around it (config, telemetry, health, NATS, PostgreSQL, the
 * object store and graceful shutdown) comes from libs/runtime.
 */
import { type DynamicModule, Module } from '@nestjs/common';
import type { IndexerConfig } from './indexer-config';
import { IndexerConfigModule } from './indexer-config.module';
import { CatalogRpcController } from './queries/catalog-rpc.controller';
import { SearchQuery } from './queries/search.query';
import { TimelineQuery } from './queries/timeline.query';
import { SilentHostSweep } from './sweep/silent-host.sweep';
import { TerminalTextIndexer } from './terminal/terminal-text.indexer';
import { CatalogueConsumer } from './writes/catalogue.consumer';
import { EventWriter } from './writes/event.writer';
import { LifecycleWriter } from './writes/lifecycle.writer';
import { MetricWriter } from './writes/metric.writer';
import { SegmentWriter } from './writes/segment.writer';

@Module({
  controllers: [CatalogueConsumer, CatalogRpcController],
  providers: [
    LifecycleWriter,
    SegmentWriter,
    EventWriter,
    MetricWriter,
    TerminalTextIndexer,
    SilentHostSweep,
    SearchQuery,
    TimelineQuery,
  ],
})
export class IndexerFeaturesModule {}

@Module({})
export class IndexerModule {
  /** Settings from the environment unless given (tests and benchmarks pass their own). */
  static forRoot(config?: IndexerConfig): DynamicModule {
    return {
      module: IndexerModule,
      imports: [IndexerConfigModule.forRoot(config), IndexerFeaturesModule],
    };
  }
}
