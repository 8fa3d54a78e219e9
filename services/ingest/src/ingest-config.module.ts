/** Makes the ingest settings injectable (`@Inject(INGEST_CONFIG)`) in every ingest module. */
import { type DynamicModule, Global, Module } from '@nestjs/common';
import { SERVICE_ENV } from '@sessionrec/runtime';
import { INGEST_CONFIG, type IngestConfig, loadIngestConfig } from './ingest-config';

@Global()
@Module({})
export class IngestConfigModule {
  /** Reads the service's environment at start-up unless a config is given. */
  static forRoot(config?: IngestConfig): DynamicModule {
    return {
      module: IngestConfigModule,
      global: true,
      providers: [
        {
          provide: INGEST_CONFIG,
          inject: [SERVICE_ENV],
          useFactory: (env: NodeJS.ProcessEnv) => config ?? loadIngestConfig(env),
        },
      ],
      exports: [INGEST_CONFIG],
    };
  }
}
