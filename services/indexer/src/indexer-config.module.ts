/** Makes the indexer settings injectable (`@Inject(INDEXER_CONFIG)`) in every indexer module. */
import { type DynamicModule, Global, Module } from '@nestjs/common';
import { INDEXER_CONFIG, type IndexerConfig, loadIndexerConfig } from './indexer-config';

@Global()
@Module({})
export class IndexerConfigModule {
  /** Reads the environment at start-up unless a config is given (tests, benchmarks). */
  static forRoot(config?: IndexerConfig): DynamicModule {
    return {
      module: IndexerConfigModule,
      global: true,
      providers: [{ provide: INDEXER_CONFIG, useFactory: () => config ?? loadIndexerConfig() }],
      exports: [INDEXER_CONFIG],
    };
  }
}
