/**
 * The real recording pipeline for playback tests: ingest, the indexer and the policy
 * service (viewing policies) spawned from their builds on the suite's namespace, schemas and bucket, an enrolment token from
 * `sessionrec enrol-token create`, and simulated sessions streamed in by
 * `sessionrec-agent simulate` (real H.264 fMP4 and asciicast segments).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  type ServiceProcess,
  startServiceProcess,
  testDatabaseUrl,
  testNatsUrl,
  testS3Options,
} from '@sessionrec/testing';
import { freePort } from './api-harness';

const ROOT = path.resolve(__dirname, '../../..');
const MAINS = {
  ingest: path.join(ROOT, 'services/ingest/dist/main.js'),
  indexer: path.join(ROOT, 'services/indexer/dist/main.js'),
  policy: path.join(ROOT, 'services/policy/dist/main.js'),
  cli: path.join(ROOT, 'libs/cli/dist/main.js'),
  agent: path.join(ROOT, 'services/agent/dist/main.js'),
};

export interface Pipeline {
  readonly ingestUrl: string;
  /** Streams `sessions` simulated sessions of `kind` through ingest; resolves when done. */
  simulate(kind: 'desktop' | 'terminal', sessions: number, durationSeconds: number): Promise<void>;
  stop(): Promise<void>;
}

function baseEnv(name: string, bucket: string): Record<string, string> {
  const s3 = testS3Options();
  return {
    NATS_URL: testNatsUrl(),
    NATS_NAMESPACE: name,
    DATABASE_URL: testDatabaseUrl(),
    STORAGE_URL: `s3://${bucket}`,
    S3_ENDPOINT: s3.endpoint,
    S3_REGION: s3.region ?? 'us-east-1',
    S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: s3.credentials?.accessKeyId ?? 'S3RVER',
    AWS_SECRET_ACCESS_KEY: s3.credentials?.secretAccessKey ?? 'S3RVER',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    METRICS_ENABLED: 'false',
  };
}

export async function startPipeline(name: string, bucket: string): Promise<Pipeline> {
  const env = baseEnv(name, bucket);
  const work = await mkdtemp(path.join(os.tmpdir(), 'api-pipeline-'));
  const children: ServiceProcess[] = [];
  const stop = async () => {
    for (const child of children.reverse()) await child.stop();
    await rm(work, { recursive: true, force: true });
  };
  try {
    const ingestPort = await freePort();
    const indexerPort = await freePort();
    const policyPort = await freePort();
    // The api asks the policy service for the viewing policy on every read.
    children.push(
      await startServiceProcess(
        MAINS.policy,
        { ...env, DATABASE_SCHEMA: `${name}_policy`, POLICY_PORT: String(policyPort) },
        `http://127.0.0.1:${policyPort}/health/ready`,
      ),
    );
    children.push(
      await startServiceProcess(
        MAINS.indexer,
        { ...env, DATABASE_SCHEMA: `${name}_catalog`, INDEXER_PORT: String(indexerPort) },
        `http://127.0.0.1:${indexerPort}/health/ready`,
      ),
    );
    children.push(
      await startServiceProcess(
        MAINS.ingest,
        { ...env, DATABASE_SCHEMA: `${name}_ingest`, INGEST_PORT: String(ingestPort) },
        `http://127.0.0.1:${ingestPort}/health/ready`,
      ),
    );
    const ingestUrl = `http://127.0.0.1:${ingestPort}`;
    const run = promisify(execFile);
    const { stdout } = await run(
      process.execPath,
      [MAINS.cli, 'enrol-token', 'create', '--expires-in', '1h', '--note', 'api playback test'],
      { env: { ...process.env, ...env, DATABASE_SCHEMA: `${name}_ingest` } },
    );
    const token = stdout.split('\n')[0] ?? '';
    let enrolled = false;
    return {
      ingestUrl,
      stop,
      simulate: async (kind, sessions, durationSeconds) => {
        await run(
          process.execPath,
          [
            MAINS.agent,
            'simulate',
            '--sessions',
            String(sessions),
            '--duration',
            String(durationSeconds),
            '--ingest',
            ingestUrl,
            ...(enrolled ? [] : ['--token', token]),
            '--state-dir',
            path.join(work, 'agent'),
            '--kind',
            kind,
            '--speed',
            '50',
            '--seed',
            '7',
            '--no-control',
            // The policy service runs (for viewing policies) without a recording policy.
            '--record',
            'always',
            '--quiet',
            '--json',
          ],
          { env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
        );
        enrolled = true;
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
