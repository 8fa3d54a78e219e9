/**
 * What the api integration specs share: the real api booted in this process on the
 * suite's own NATS namespace, PostgreSQL schema and S3 bucket; a catalogue responder on
 * the same namespace standing in for the indexer (real NATS request/reply); sign-in
 * helpers.
 */
import type { INestApplication } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/nats-core';
import { type RunningService, runService } from '@sessionrec/runtime';
import type { S3ObjectStore } from '@sessionrec/storage';
import {
  connectTestNats,
  createTestBucket,
  createTestObjectStore,
  createTestSchemas,
  deleteNamespaceStreams,
  deleteTestBucket,
  dropTestSchemas,
  testBucketName,
  testDatabaseUrl,
  testNatsUrl,
  testS3Options,
  uniqueTestName,
  freePort,
} from '@sessionrec/testing';
import { Client } from 'pg';
import { ApiModule } from '../src/api.module';
import { loadApiConfig } from '../src/config/api-config';
import { FixtureCatalog, startCatalogFixture } from './catalog-fixture';

export const ADMIN_PASSWORD = 'correct horse battery staple';

const DEFAULT_API_ENV = { SESSIONREC_ADMIN_PASSWORD: ADMIN_PASSWORD };

export interface ApiHarnessOptions {
  /** Api settings from this environment (default: SESSIONREC_ADMIN_PASSWORD=ADMIN_PASSWORD). */
  readonly apiEnv?: NodeJS.ProcessEnv;
  /** Also boot the fixture catalogue responder (default true). */
  readonly catalog?: boolean;
  /**
   * The fixture also answers `policy.viewing.get` (default true); a test that runs its own
   * policy-service stand-in turns it off, or two responders would race.
   */
  readonly viewingPolicy?: boolean;
}

export interface ApiHarness {
  readonly name: string;
  readonly schema: string;
  readonly bucket: string;
  readonly pg: Client;
  readonly nc: NatsConnection;
  readonly store: S3ObjectStore;
  readonly catalog: FixtureCatalog;
  api: RunningService;
  url: string;
  /** Stops the api and boots a new one on the same schema, bucket and namespace. */
  restartApi(apiEnv?: NodeJS.ProcessEnv): Promise<void>;
  cleanup(): Promise<void>;
}

function serviceEnv(name: string, bucket: string, port: number): NodeJS.ProcessEnv {
  const s3 = testS3Options();
  return {
    NATS_URL: testNatsUrl(),
    NATS_NAMESPACE: name,
    DATABASE_URL: testDatabaseUrl(),
    DATABASE_SCHEMA: `${name}_api`,
    STORAGE_URL: `s3://${bucket}`,
    S3_ENDPOINT: s3.endpoint,
    S3_REGION: s3.region ?? 'us-east-1',
    S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: s3.credentials?.accessKeyId ?? 'S3RVER',
    AWS_SECRET_ACCESS_KEY: s3.credentials?.secretAccessKey ?? 'S3RVER',
    HOST: '127.0.0.1',
    API_PORT: String(port),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'fatal',
    METRICS_ENABLED: 'false',
  };
}

async function bootApi(name: string, bucket: string, apiEnv: NodeJS.ProcessEnv) {
  const config = loadApiConfig({ API_CATALOG_TIMEOUT_MS: '2000', ...apiEnv });
  const api = await runService(
    { name: 'api', module: ApiModule.forRoot(config), database: 'api', storage: true },
    serviceEnv(name, bucket, await freePort()),
  );
  if (!api) throw new Error('api did not start (see stderr)');
  return api;
}

export async function startApi(
  suite: string,
  options: ApiHarnessOptions = {},
): Promise<ApiHarness> {
  const name = uniqueTestName(suite);
  const nc = await connectTestNats();
  const bucket = testBucketName(name);
  const pg = new Client({ connectionString: testDatabaseUrl() });
  const catalog = new FixtureCatalog();
  let indexer: INestApplication | undefined;
  let api: RunningService | undefined;
  const release = async () => {
    catalog.silent = false;
    await api?.stop();
    await indexer?.close();
    await pg.end().catch(() => undefined);
    await deleteNamespaceStreams(nc, name);
    await nc.close();
    await dropTestSchemas(name);
    await deleteTestBucket(bucket);
  };
  try {
    await pg.connect();
    await createTestSchemas(name);
    await createTestBucket(name);
    if (options.catalog !== false) {
      indexer = await startCatalogFixture(
        catalog,
        { url: testNatsUrl(), namespace: name },
        options.viewingPolicy ?? true,
      );
    }
    api = await bootApi(name, bucket, options.apiEnv ?? DEFAULT_API_ENV);
  } catch (err) {
    await release();
    throw err;
  }
  const running = api;
  const harness: ApiHarness = {
    name,
    schema: `${name}_api`,
    bucket,
    pg,
    nc,
    store: createTestObjectStore(bucket),
    catalog,
    api: running,
    url: running.url,
    restartApi: async (apiEnv) => {
      await harness.api.stop();
      harness.api = await bootApi(name, bucket, apiEnv ?? options.apiEnv ?? DEFAULT_API_ENV);
      harness.url = harness.api.url;
    },
    cleanup: async () => {
      api = harness.api;
      await harness.store.close();
      await release();
    },
  };
  return harness;
}

export async function login(
  harness: ApiHarness,
  username = 'admin',
  password = ADMIN_PASSWORD,
): Promise<Response> {
  return fetch(`${harness.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
}

/** Signs in as admin and returns the bearer token. */
export async function adminToken(harness: ApiHarness): Promise<string> {
  const res = await login(harness);
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export function get(
  harness: ApiHarness,
  path: string,
  token?: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${harness.url}${path}`, {
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
}

export { freePort };
