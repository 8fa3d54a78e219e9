/**
 * The whole platform for the console's end-to-end tests, as separate processes from their
 * builds: policy, indexer, ingest and the api (which serves the built console), on the
 * suite's own NATS namespace, PostgreSQL schemas and S3 bucket. Sessions come from the real
 * agent simulator (`sessionrec-agent simulate`: H.264 fMP4 and asciicast through ingest).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  connectTestNats,
  createTestBucket,
  createTestSchemas,
  deleteNamespaceStreams,
  deleteTestBucket,
  dropTestSchemas,
  freePort,
  testDatabaseUrl,
  testNatsUrl,
  testS3Options,
  uniqueTestName,
  waitFor,
} from '@sessionrec/testing';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const main = (service: string) => path.join(ROOT, 'services', service, 'dist/main.js');
const CLI = path.join(ROOT, 'libs/cli/dist/main.js');
export const ADMIN_PASSWORD = 'e2e admin password 1';

interface Child {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exit: Promise<unknown>;
  readonly output: () => string;
}

export interface LiveSimulation {
  /** What the simulator printed so far (its control log: the commands it answered). */
  output(): string;
  /** SIGTERM: the simulator ends its session and drains its spool, then exits. */
  stop(): Promise<void>;
}

export interface Stack {
  readonly name: string;
  readonly apiUrl: string;
  simulate(kind: 'desktop' | 'terminal', sessions: number, durationSeconds: number): Promise<void>;
  /**
   * One session in real time with the control channel connected (so the agent answers the
   * console's commands), running until stopped. Call after simulate (the agent is enrolled).
   */
  simulateLive(kind: 'desktop' | 'terminal'): Promise<LiveSimulation>;
  /** Output of every service so far, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

async function ensureBuilt(): Promise<void> {
  const missing = ['policy', 'indexer', 'ingest', 'api', 'agent'].filter(
    (s) => !existsSync(main(s)),
  );
  if (missing.length > 0 || !existsSync(CLI)) {
    throw new Error(`build first (npm run build): no dist for ${missing.join(', ') || 'cli'}`);
  }
  if (!existsSync(path.join(ROOT, 'services/console/dist/index.html'))) {
    await run('npm', ['run', 'build', '-w', '@sessionrec/console'], { cwd: ROOT });
  }
}

async function startChild(name: string, env: Record<string, string>, port: number) {
  const child = spawn(process.execPath, [main(name)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise((resolve) => child.once('exit', resolve));
  const started: Child = { name, child, exit, output: () => out };
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited:\n${out}`);
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => null);
      return res?.status === 200;
    },
    45_000,
    `${name} ready`,
  );
  return started;
}

export async function startStack(suite: string): Promise<Stack> {
  await ensureBuilt();
  const name = uniqueTestName(suite);
  const work = await mkdtemp(path.join(os.tmpdir(), 'e2e-'));
  const s3 = testS3Options();
  const bucket = await createTestBucket(name);
  await createTestSchemas(name);
  const env = {
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
  const children: Child[] = [];
  const stop = async () => {
    for (const c of children.reverse()) {
      if (c.child.exitCode === null) c.child.kill('SIGTERM');
      await c.exit;
    }
    const nc = await connectTestNats();
    await deleteNamespaceStreams(nc, name).finally(() => nc.close());
    await dropTestSchemas(name);
    await deleteTestBucket(bucket);
    await rm(work, { recursive: true, force: true });
  };
  try {
    const ports = {
      policy: await freePort(),
      indexer: await freePort(),
      ingest: await freePort(),
      api: await freePort(),
    };
    children.push(
      await startChild(
        'policy',
        { ...env, DATABASE_SCHEMA: `${name}_policy`, POLICY_PORT: String(ports.policy) },
        ports.policy,
      ),
      await startChild(
        'indexer',
        { ...env, DATABASE_SCHEMA: `${name}_catalog`, INDEXER_PORT: String(ports.indexer) },
        ports.indexer,
      ),
      await startChild(
        'ingest',
        { ...env, DATABASE_SCHEMA: `${name}_ingest`, INGEST_PORT: String(ports.ingest) },
        ports.ingest,
      ),
      await startChild(
        'api',
        {
          ...env,
          DATABASE_SCHEMA: `${name}_api`,
          API_PORT: String(ports.api),
          SESSIONREC_ADMIN_PASSWORD: ADMIN_PASSWORD,
        },
        ports.api,
      ),
    );
    const ingestUrl = `http://127.0.0.1:${ports.ingest}`;
    const { stdout } = await run(
      process.execPath,
      [CLI, 'enrol-token', 'create', '--expires-in', '1h', '--note', 'console e2e'],
      { env: { ...process.env, ...env, DATABASE_SCHEMA: `${name}_ingest` } },
    );
    const token = stdout.split('\n')[0] ?? '';
    let enrolled = false;
    return {
      name,
      apiUrl: `http://127.0.0.1:${ports.api}`,
      logs: () => children.map((c) => `--- ${c.name}\n${c.output()}`).join('\n'),
      stop,
      simulate: async (kind, sessions, durationSeconds) => {
        await run(
          process.execPath,
          [
            main('agent'),
            'simulate',
            ...['--sessions', String(sessions), '--duration', String(durationSeconds)],
            ...['--ingest', ingestUrl, '--state-dir', path.join(work, 'agent')],
            ...(enrolled ? [] : ['--token', token]),
            ...['--kind', kind, '--speed', '20', '--seed', '11', '--record', 'always'],
            ...['--no-control', '--quiet', '--json'],
          ],
          { env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
        );
        enrolled = true;
      },
      simulateLive: (kind) => {
        if (!enrolled) {
          return Promise.reject(new Error('simulateLive needs an enrolled agent: simulate first'));
        }
        const child = spawn(
          process.execPath,
          [
            main('agent'),
            'simulate',
            ...['--sessions', '1', '--duration', '3600'],
            ...['--ingest', ingestUrl, '--state-dir', path.join(work, 'agent')],
            ...['--kind', kind, '--speed', '1', '--seed', '12', '--record', 'always'],
          ],
          {
            env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        let out = '';
        child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
        const exit = new Promise((resolve) => child.once('exit', resolve));
        children.push({ name: 'simulator', child, exit, output: () => out });
        return Promise.resolve({
          output: () => out,
          stop: async () => {
            if (child.exitCode === null) child.kill('SIGTERM');
            await exit;
          },
        });
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
