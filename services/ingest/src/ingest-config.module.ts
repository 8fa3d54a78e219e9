/** Makes the ingest settings injectable (`@Inject(INGEST_CONFIG)`) in every ingest module. */
import { type DynamicModule, Global, Module } from '@nestjs/common';
import { INGEST_CONFIG, type IngestConfig, loadIngestConfig } from './ingest-config';

@Global()
@Module({})
export class IngestConfigModule {
  /** Reads the environment at start-up unless a config is given (tests). */
  static forRoot(config?: IngestConfig): DynamicModule {
    return {
      module: IngestConfigModule,
      global: true,
      providers: [{ provide: INGEST_CONFIG, useFactory: () => config ?? loadIngestConfig() }],
      exports: [INGEST_CONFIG],
    };
  }
}
