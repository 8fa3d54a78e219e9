/**
 * Gives a Nest service its owner's DataSource (and repositories through
 * TypeOrmModule.forFeature), built by createDataSource so the options are the same as the
 * migrator's: never synchronize, never migrate at boot.
 */
import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { dataSourceOptions } from './data-source';
import { type Owner } from './owners';

export interface DatabaseModuleOptions {
  readonly url: string;
  readonly owner: Owner;
  readonly schema?: string;
  /** Defaults to `sessionrec-<owner>`. */
  readonly applicationName?: string;
  readonly poolSize?: number;
  /** Connection attempts at boot before the service gives up (default 5, 2 s apart). */
  readonly retryAttempts?: number;
  readonly retryDelayMs?: number;
}

export interface DatabaseModuleAsyncOptions {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly imports?: any[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly inject?: any[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly useFactory: (...args: any[]) => DatabaseModuleOptions | Promise<DatabaseModuleOptions>;
}

@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return DatabaseModule.forRootAsync({ useFactory: () => options });
  }

  static forRootAsync(options: DatabaseModuleAsyncOptions): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          imports: options.imports ?? [],
          inject: options.inject ?? [],
          useFactory: async (...args: unknown[]) => {
            const resolved = await options.useFactory(...args);
            return {
              ...dataSourceOptions({
                url: resolved.url,
                owner: resolved.owner,
                schema: resolved.schema,
                applicationName: resolved.applicationName ?? `sessionrec-${resolved.owner}`,
                poolSize: resolved.poolSize,
              }),
              retryAttempts: resolved.retryAttempts ?? 5,
              retryDelay: resolved.retryDelayMs ?? 2000,
            };
          },
          dataSourceFactory: async (dataSourceOptions?: DataSourceOptions) => {
            if (!dataSourceOptions) throw new Error('DatabaseModule: no data source options');
            return new DataSource(dataSourceOptions).initialize();
          },
        }),
      ],
      exports: [TypeOrmModule],
    };
  }
}
