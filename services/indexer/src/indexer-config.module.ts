/** Makes the indexer settings injectable (`@Inject(INDEXER_CONFIG)`) in every indexer module. */
import { type DynamicModule, Global, Module } from '@nestjs/common';
import { SERVICE_ENV } from '@sessionrec/runtime';
import { INDEXER_CONFIG, type IndexerConfig, loadIndexerConfig } from './indexer-config';

@Global()
@Module({})
export class IndexerConfigModule {
  /** Reads the service's environment at start-up unless a config is given (tests). */
  static forRoot(config?: IndexerConfig): DynamicModule {
    return {
      module: IndexerConfigModule,
      global: true,
      providers: [
        {
          provide: INDEXER_CONFIG,
          inject: [SERVICE_ENV],
          useFactory: (env: NodeJS.ProcessEnv) => config ?? loadIndexerConfig(env),
        },
      ],
      exports: [INDEXER_CONFIG],
    };
  }
}
