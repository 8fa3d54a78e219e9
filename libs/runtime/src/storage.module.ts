/**
 * Gives a service its object store (injected with `@Inject(OBJECT_STORE)`), registers it
 * as a readiness check, and closes it on shutdown.
 */
import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { StorageEnv } from '@sessionrec/config';
import { FsObjectStore, S3ObjectStore, type ObjectStore } from '@sessionrec/storage';
import { HealthRegistry } from '@sessionrec/telemetry';

export const OBJECT_STORE = Symbol('OBJECT_STORE');

export function objectStoreFromConfig(storage: StorageEnv): ObjectStore {
  const location = storage.STORAGE_URL;
  if (location.driver === 'file') {
    const threads = storage.STORAGE_FS_WRITE_THREADS;
    return new FsObjectStore({
      root: location.root,
      ...(threads === undefined ? {} : { writeThreads: threads }),
    });
  }
  return new S3ObjectStore({
    bucket: location.bucket,
    region: storage.S3_REGION,
    forcePathStyle: storage.S3_FORCE_PATH_STYLE,
    ...(storage.S3_ENDPOINT ? { endpoint: storage.S3_ENDPOINT } : {}),
    ...(storage.AWS_ACCESS_KEY_ID && storage.AWS_SECRET_ACCESS_KEY
      ? {
          credentials: {
            accessKeyId: storage.AWS_ACCESS_KEY_ID,
            secretAccessKey: storage.AWS_SECRET_ACCESS_KEY,
          },
        }
      : {}),
  });
}

@Global()
@Module({})
export class StorageModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    private readonly health: HealthRegistry,
  ) {}

  static forRoot(store: ObjectStore): DynamicModule {
    return {
      module: StorageModule,
      providers: [{ provide: OBJECT_STORE, useValue: store }],
      exports: [OBJECT_STORE],
    };
  }

  onModuleInit(): void {
    this.health.register('storage', () => this.store.ping());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
