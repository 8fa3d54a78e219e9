/**
 * A local stack for the console benchmark, as `npm start` runs it: the built policy,
 * indexer, ingest and api services (the api serving the built console) with recordings in
 * a local folder, on this run's own NATS namespace and PostgreSQL schemas, and recordings
 * made by the real agent simulator (H.264 fMP4 and asciicast through ingest).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { connect } from '@nats-io/transport-node';
import {
  createTestSchemas,
  deleteNamespaceStreams,
  dropTestSchemas,
  testDatabaseUrl,
  uniqueTestName,
} from '@sessionrec/testing';
import { freePort, ServiceProcess } from '../harness/service-process';
import { assertLoopbackUrl } from '../loopback';

const run = promisify(execFile);
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const ADMIN_PASSWORD = 'bench console admin password';

export interface ConsoleStack {
  readonly apiUrl: string;
  /** A sign-in token of admin (the console's cookie value). */
  readonly token: string;
  simulate(kind: 'desktop' | 'terminal', durationSeconds: number, speed: number): Promise<void>;
  api<T>(p: string): Promise<T>;
  stop(): Promise<void>;
}

export async function startConsoleStack(natsUrl: string, tmpDir: string): Promise<ConsoleStack> {
  const name = uniqueTestName('bench_console');
  await createTestSchemas(name);
  const services: ServiceProcess[] = [];
  const stop = async () => {
    for (const s of services.reverse()) await s.stop().catch(() => undefined);
    const nc = await connect({ servers: assertLoopbackUrl('NATS_URL', natsUrl) });
    await deleteNamespaceStreams(nc, name).catch(() => []);
    await nc.close();
    await dropTestSchemas(name).catch(() => undefined);
  };
  try {
    const env = {
      NATS_URL: natsUrl,
      NATS_NAMESPACE: name,
      DATABASE_URL: testDatabaseUrl(),
      STORAGE_URL: `file://${path.join(tmpDir, 'console-objects')}`,
      HOST: '127.0.0.1',
      METRICS_ENABLED: 'false',
    };
    const port = { policy: 0, indexer: 0, ingest: 0, api: 0 };
    for (const key of Object.keys(port) as (keyof typeof port)[]) port[key] = await freePort();
    const start = async (service: keyof typeof port, schema: string, extra = {}) => {
      const variable = `${service.toUpperCase()}_PORT`;
      services.push(
        await ServiceProcess.start(REPO_ROOT, service, port[service], {
          ...env,
          DATABASE_SCHEMA: `${name}_${schema}`,
          [variable]: String(port[service]),
          ...extra,
        }),
      );
    };
    await start('policy', 'policy');
    await start('indexer', 'catalog');
    await start('ingest', 'ingest');
    await start('api', 'api', { SESSIONREC_ADMIN_PASSWORD: ADMIN_PASSWORD });
    const apiUrl = `http://127.0.0.1:${port.api}`;
    const login = await fetch(`${apiUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    const { stdout } = await run(
      process.execPath,
      [
        path.join(REPO_ROOT, 'libs/cli/dist/main.js'),
        ...['enrol-token', 'create', '--expires-in', '1h'],
      ],
      { env: { ...process.env, ...env, DATABASE_SCHEMA: `${name}_ingest` } },
    );
    const enrolToken = stdout.split('\n')[0] ?? '';
    let enrolled = false;
    return {
      apiUrl,
      token,
      stop,
      api: async <T>(p: string): Promise<T> => {
        const res = await fetch(`${apiUrl}${p}`, { headers: { authorization: `Bearer ${token}` } });
        if (res.status !== 200) throw new Error(`${p}: ${res.status} ${await res.text()}`);
        return (await res.json()) as T;
      },
      simulate: async (kind, durationSeconds, speed) => {
        await run(
          process.execPath,
          [
            path.join(REPO_ROOT, 'services/agent/dist/main.js'),
            'simulate',
            ...['--sessions', '1', '--duration', String(durationSeconds)],
            ...['--ingest', `http://127.0.0.1:${port.ingest}`],
            ...['--state-dir', path.join(tmpDir, 'console-agent')],
            ...(enrolled ? [] : ['--token', enrolToken]),
            ...['--kind', kind, '--speed', String(speed), '--seed', '5', '--record', 'always'],
            ...['--no-control', '--quiet', '--json'],
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
