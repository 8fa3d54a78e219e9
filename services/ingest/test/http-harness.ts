/**
 * What the agent-HTTP integration specs share: the real ingest app booted in this process
 * on the suite's own NATS namespace, PostgreSQL schema and S3 bucket, enrolment tokens
 * written the way the CLI writes them, and small request helpers.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/nats-core';
import { HEADERS } from '@sessionrec/contracts';
import { MessagingConnection } from '@sessionrec/messaging';
import { type RunningService, runService, type ServiceSpec } from '@sessionrec/runtime';
import {
  connectTestNats,
  createTestBucket,
  createTestObjectStore,
  createTestSchemas,
  deleteNamespaceStreams,
  deleteTestBucket,
  dropTestSchemas,
  readStream,
  testBucketName,
  testDatabaseUrl,
  testNatsUrl,
  testS3Options,
  freePort,
} from '@sessionrec/testing';
import type { S3ObjectStore } from '@sessionrec/storage';
import { Client } from 'pg';
import { newEnrolToken, sha256Hex } from '../src/auth/credentials';
import { INGEST_SERVICE } from '../src/ingest-service';

export interface HttpIngest {
  readonly name: string;
  readonly url: string;
  readonly schema: string;
  readonly service: RunningService;
  readonly pg: Client;
  readonly nc: NatsConnection;
  readonly store: S3ObjectStore;
  cleanup(): Promise<void>;
}

export async function startHttpIngest(
  name: string,
  env: Record<string, string> = {},
  spec: ServiceSpec = INGEST_SERVICE,
): Promise<HttpIngest> {
  await createTestSchemas(name);
  const bucket = await createTestBucket(name);
  const s3 = testS3Options();
  const port = await freePort();
  const service = await runService(spec, {
    NATS_URL: testNatsUrl(),
    NATS_NAMESPACE: name,
    DATABASE_URL: testDatabaseUrl(),
    DATABASE_SCHEMA: `${name}_ingest`,
    STORAGE_URL: `s3://${bucket}`,
    S3_ENDPOINT: s3.endpoint,
    S3_REGION: s3.region ?? 'us-east-1',
    S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: s3.credentials?.accessKeyId ?? 'S3RVER',
    AWS_SECRET_ACCESS_KEY: s3.credentials?.secretAccessKey ?? 'S3RVER',
    HOST: '127.0.0.1',
    INGEST_PORT: String(port),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'fatal',
    METRICS_ENABLED: 'false',
    ...env,
  });
  if (!service) throw new Error('ingest did not start (see stderr)');
  const pg = new Client({ connectionString: testDatabaseUrl() });
  await pg.connect();
  const nc = await connectTestNats();
  const store = createTestObjectStore(bucket);
  return {
    name,
    url: service.url,
    schema: `${name}_ingest`,
    service,
    pg,
    nc,
    store,
    cleanup: async () => {
      await service.stop();
      await pg.end();
      await store.close();
      await deleteNamespaceStreams(nc, name);
      await nc.close();
      await dropTestSchemas(name);
      await deleteTestBucket(testBucketName(name));
    },
  };
}

/** Stores a token the way `sessionrec enrol-token create` does; returns the token. */
export async function createEnrolToken(ingest: HttpIngest, expiresIn = '1 hour'): Promise<string> {
  const token = newEnrolToken();
  await ingest.pg.query(
    `INSERT INTO "${ingest.schema}".enrol_tokens (id, token_hash, expires_at)
     VALUES ($1, $2, now() + $3::interval)`,
    [randomUUID(), sha256Hex(token), expiresIn],
  );
  return token;
}

export interface Agent {
  readonly agentId: string;
  readonly credential: string;
  readonly auth: string;
}

export async function enrol(ingest: HttpIngest, token?: string): Promise<Response> {
  return fetch(`${ingest.url}/agent/v1/enrol`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      token: token ?? (await createEnrolToken(ingest)),
      hostname: 'host-1',
      os: 'linux',
      agentVersion: '0.1.0',
    }),
  });
}

export async function enrolAgent(ingest: HttpIngest): Promise<Agent> {
  const res = await enrol(ingest);
  if (res.status !== 201) throw new Error(`enrol failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { agentId: string; credential: string };
  return { ...body, auth: `Bearer ${body.credential}` };
}

export async function postJson(
  ingest: HttpIngest,
  path: string,
  body: unknown,
  auth?: string,
): Promise<Response> {
  return fetch(`${ingest.url}/agent/v1${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(auth ? { authorization: auth } : {}),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface SegmentPut {
  seq: number;
  body: Buffer;
  kind?: 'init' | 'media' | 'cast';
  prev?: string;
  sha?: string;
  headers?: Record<string, string>;
}

export async function putSegment(
  ingest: HttpIngest,
  auth: string,
  recordingId: string,
  put: SegmentPut,
): Promise<Response> {
  return fetch(`${ingest.url}/agent/v1/recordings/${recordingId}/segments/${put.seq}`, {
    method: 'PUT',
    headers: {
      authorization: auth,
      'content-type': 'application/octet-stream',
      'x-segment-sha256': put.sha ?? sha256(put.body),
      ...(put.prev ? { 'x-segment-prev-sha256': put.prev } : {}),
      'x-segment-kind': put.kind ?? 'cast',
      'x-segment-start-ms': String(put.seq * 1000),
      'x-segment-end-ms': String(put.seq * 1000 + 1000),
      ...put.headers,
    },
    body: put.body,
  });
}

/** A session (terminal protocol) with one recording, started over the API. */
export async function startSessionWithRecording(
  ingest: HttpIngest,
  agent: Agent,
  kind: 'screen' | 'terminal' = 'terminal',
): Promise<{ sessionId: string; recordingId: string }> {
  const sessionId = randomUUID();
  const recordingId = randomUUID();
  const started = await postJson(
    ingest,
    '/sessions',
    {
      sessionId,
      user: 'alice',
      host: 'host-1',
      protocol: kind === 'screen' ? 'desktop' : 'terminal',
      startedAt: '2030-05-06T07:08:09.000Z',
    },
    agent.auth,
  );
  if (started.status !== 201)
    throw new Error(`session start: ${started.status} ${await started.text()}`);
  const recording = await postJson(
    ingest,
    `/sessions/${sessionId}/recordings`,
    { recordingId, kind, at: '2030-05-06T07:08:10.000Z', reason: 'policy' },
    agent.auth,
  );
  if (recording.status !== 201) {
    throw new Error(`recording start: ${recording.status} ${await recording.text()}`);
  }
  return { sessionId, recordingId };
}

/** Decoded messages of one stream of the suite's namespace, with their type header. */
export async function streamMessages(
  ingest: HttpIngest,
  stream: string,
): Promise<
  {
    subject: string;
    type: string | undefined;
    traceparent: string | undefined;
    data: Record<string, unknown>;
  }[]
> {
  const messages = await readStream(ingest.nc, ingest.name, stream);
  return messages.map((m) => ({
    subject: m.subject,
    type: m.header?.get(HEADERS.messageType),
    traceparent: m.header?.get(HEADERS.traceparent),
    data: m.json<Record<string, unknown>>(),
  }));
}

/** Closes the service's own NATS connection, as if NATS had gone away for it. */
export async function closeServiceNats(ingest: HttpIngest): Promise<void> {
  await ingest.service.app.get(MessagingConnection).close();
}
