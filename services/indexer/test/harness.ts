/**
 * What the indexer integration specs share: the real indexer booted in this process on
 * the suite's own NATS namespace, PostgreSQL schemas and S3 test bucket, a publisher on
 * that namespace, builders for realistic messages, and waits on the catalogue and on
 * consumers.
 */
import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { type MessageInput, type MessageType, STREAMS, streamName } from '@sessionrec/contracts';
import { Messaging } from '@sessionrec/messaging';
import { OBJECT_STORE, type RunningService, runService } from '@sessionrec/runtime';
import type { ObjectStore } from '@sessionrec/storage';
import {
  connectTestNats,
  createTestBucket,
  createTestSchemas,
  deleteNamespaceStreams,
  deleteTestBucket,
  dropTestSchemas,
  testDatabaseUrl,
  testNatsUrl,
  testS3Options,
  waitFor,
  freePort,
} from '@sessionrec/testing';
import { Client } from 'pg';
import type { IndexerConfig } from '../src/indexer-config';
import { IndexerModule } from '../src/indexer.module';

export interface Indexer {
  readonly name: string;
  readonly schema: string;
  readonly service: RunningService;
  readonly messaging: Messaging;
  readonly pg: Client;
  readonly nc: NatsConnection;
  /** The indexer's object store (the suite's bucket on the S3 test server). */
  readonly store: ObjectStore;
  /** Counts rows of a catalogue table (optionally with a condition). */
  count(table: string, where?: string, params?: unknown[]): Promise<number>;
  /** Waits until every consumer of the indexer has nothing pending or unacknowledged. */
  settled(): Promise<void>;
  cleanup(): Promise<void>;
}

export const DEFAULT_TEST_CONFIG: IndexerConfig = {
  INDEXER_BATCH_ROWS: 100,
  INDEXER_BATCH_DELAY_MS: 20,
  INDEXER_SILENT_AFTER_MS: 15 * 60_000,
  INDEXER_SWEEP_INTERVAL_MS: 60_000,
  INDEXER_SEARCH_LIST_ROWS: 5_000,
};

export async function startIndexer(
  name: string,
  config: IndexerConfig = DEFAULT_TEST_CONFIG,
): Promise<Indexer> {
  await createTestSchemas(name);
  const bucket = await createTestBucket(name);
  const s3 = testS3Options();
  const schema = `${name}_catalog`;
  const service = await runService(
    {
      name: 'indexer',
      module: IndexerModule.forRoot(config),
      database: 'catalog',
      storage: true,
    },
    {
      STORAGE_URL: `s3://${bucket}`,
      S3_ENDPOINT: s3.endpoint,
      S3_REGION: s3.region ?? 'us-east-1',
      S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: s3.credentials?.accessKeyId ?? 'S3RVER',
      AWS_SECRET_ACCESS_KEY: s3.credentials?.secretAccessKey ?? 'S3RVER',
      NATS_URL: testNatsUrl(),
      NATS_NAMESPACE: name,
      DATABASE_URL: testDatabaseUrl(),
      DATABASE_SCHEMA: schema,
      HOST: '127.0.0.1',
      INDEXER_PORT: String(await freePort()),
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'fatal',
      METRICS_ENABLED: 'false',
    },
  );
  if (!service) throw new Error('indexer did not start (see stderr)');
  const pg = new Client({ connectionString: testDatabaseUrl() });
  await pg.connect();
  const nc = await connectTestNats('indexer-test');
  const jsm = await jetstreamManager(nc);
  return {
    name,
    schema,
    service,
    messaging: service.app.get(Messaging),
    pg,
    nc,
    store: service.app.get<ObjectStore>(OBJECT_STORE),
    count: async (table, where, params) => {
      const { rows } = await pg.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${schema}".${table}${where ? ` WHERE ${where}` : ''}`,
        params,
      );
      return rows[0]?.n ?? 0;
    },
    settled: () =>
      waitFor(
        async () => {
          for (const stream of ['SESSIONS', 'SEGMENTS', 'EVENTS', 'METRICS'] as const) {
            for await (const c of jsm.consumers.list(streamName(name, STREAMS[stream].name))) {
              if (c.num_pending > 0 || c.num_ack_pending > 0) return false;
            }
          }
          return true;
        },
        20_000,
        'indexer consumers to settle',
      ),
    cleanup: async () => {
      await service.stop();
      await pg.end();
      await deleteNamespaceStreams(nc, name);
      await nc.close();
      await dropTestSchemas(name);
      await deleteTestBucket(bucket);
    },
  };
}

export interface SessionSpec {
  user: string;
  groups: string[];
  host: string;
  clientAddress?: string;
  protocol: 'desktop' | 'terminal';
  startedAt: string;
  endedAt?: string;
  events: {
    type: MessageInput<'event'>['type'];
    offsetMs: number;
    attributes: Record<string, string | number>;
  }[];
}

export interface SeededSession {
  sessionId: string;
  agentId: string;
  recordingId: string;
  eventIds: string[];
  messages: { type: MessageType; payload: unknown }[];
}

/** The messages ingest would publish for one session, in a realistic order. */
export function sessionMessages(spec: SessionSpec): SeededSession {
  const sessionId = randomUUID();
  const agentId = randomUUID();
  const recordingId = randomUUID();
  const start = Date.parse(spec.startedAt);
  const at = (ms: number) => new Date(start + ms).toISOString();
  const messages: SeededSession['messages'] = [
    {
      type: 'session.started',
      payload: {
        v: 1,
        sessionId,
        agentId,
        host: spec.host,
        user: spec.user,
        groups: spec.groups,
        ...(spec.clientAddress ? { clientAddress: spec.clientAddress } : {}),
        protocol: spec.protocol,
        startedAt: spec.startedAt,
      },
    },
    {
      type: 'recording.started',
      payload: {
        v: 1,
        sessionId,
        recordingId,
        agentId,
        at: at(100),
        reason: 'policy',
        ruleId: 'r1',
        policyVersion: 1,
        kind: spec.protocol === 'desktop' ? 'screen' : 'terminal',
      },
    },
  ];
  const eventIds: string[] = [];
  for (const e of spec.events) {
    const eventId = randomUUID();
    eventIds.push(eventId);
    messages.push({
      type: 'event',
      payload: {
        v: 1,
        eventId,
        sessionId,
        agentId,
        recordingId,
        type: e.type,
        at: at(e.offsetMs),
        offsetMs: e.offsetMs,
        attributes: e.attributes,
      },
    });
  }
  if (spec.endedAt) {
    messages.push({
      type: 'session.ended',
      payload: { v: 1, sessionId, agentId, endedAt: spec.endedAt, reason: 'logout' },
    });
  }
  return { sessionId, agentId, recordingId, eventIds, messages };
}

export async function publishAll(
  indexer: Indexer,
  messages: SeededSession['messages'],
  fresh = false,
): Promise<void> {
  for (const m of messages) {
    await indexer.messaging.publish(
      m.type,
      m.payload as never,
      fresh ? { messageId: randomUUID() } : {},
    );
  }
}
