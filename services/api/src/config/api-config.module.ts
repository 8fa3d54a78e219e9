/** Makes the api settings injectable (`@Inject(API_CONFIG)`) in every api module. */
import { type DynamicModule, Global, Module } from '@nestjs/common';
import { SERVICE_ENV } from '@sessionrec/runtime';
import { API_CONFIG, type ApiConfig, loadApiConfig } from './api-config';

@Global()
@Module({})
export class ApiConfigModule {
  /** Reads the environment at start-up unless a config is given (tests). */
  static forRoot(config?: ApiConfig): DynamicModule {
    return {
      module: ApiConfigModule,
      global: true,
      providers: [
        {
          provide: API_CONFIG,
          inject: [SERVICE_ENV],
          useFactory: (env: NodeJS.ProcessEnv) => config ?? loadApiConfig(env),
        },
      ],
      exports: [API_CONFIG],
    };
  }
}
