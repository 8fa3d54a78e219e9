/**
 * A real service process, stopped with SIGTERM while it is consuming, loses nothing:
 * what it held is finished or redelivered, and a restarted process completes the rest,
 * each effect exactly once. Also: a bad environment stops start-up naming the variable.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { headers } from '@nats-io/nats-core';
import {
  connectTestNats,
  createTestSchemas,
  deleteNamespaceStreams,
  dropTestSchemas,
  testDatabaseUrl,
  uniqueTestName,
  waitFor,
  freePort,
} from '@sessionrec/testing';
import { Client } from 'pg';

const FIXTURE = path.join(__dirname, 'fixtures', 'consumer-service.js');
const N = 24;

interface Started {
  child: ChildProcess;
  exit: Promise<number | null>;
  output: () => string;
}

function startFixture(env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, [FIXTURE], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exit, output: () => out };
}

async function ready(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
    return res.status === 200;
  } catch {
    return false;
  }
}

describe('service shutdown on SIGTERM', () => {
  const name = uniqueTestName('runtime');
  const table = `${name}_catalog.fixture_effects`;
  let nc: NatsConnection;
  let pg: Client;
  const running: Started[] = [];

  beforeAll(async () => {
    await createTestSchemas(name);
    pg = new Client({ connectionString: testDatabaseUrl() });
    await pg.connect();
    await pg.query(
      `CREATE TABLE ${table} (event_id uuid PRIMARY KEY, deliveries int NOT NULL, pid int NOT NULL)`,
    );
    nc = await connectTestNats();
  });

  afterAll(async () => {
    for (const r of running) if (r.child.exitCode === null) r.child.kill('SIGKILL');
    await deleteNamespaceStreams(nc, name);
    await nc.close();
    await pg.end();
    await dropTestSchemas(name);
  });

  const count = async (): Promise<number> =>
    Number((await pg.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);

  it('finishes or redelivers what it holds, and a restart completes the rest once', async () => {
    const port = await freePort();
    const env = {
      NATS_NAMESPACE: name,
      DATABASE_URL: testDatabaseUrl(),
      DATABASE_SCHEMA: `${name}_catalog`,
      INDEXER_PORT: String(port),
      FIXTURE_TABLE: table,
      FIXTURE_DELAY_MS: '250',
      LOG_LEVEL: 'warn',
    };
    const first = startFixture(env);
    running.push(first);
    await waitFor(() => ready(port), 30_000, 'the service to become ready');

    const js = jetstream(nc);
    const ids = Array.from({ length: N }, () => randomUUID());
    for (const [i, eventId] of ids.entries()) {
      const h = headers();
      h.set('Nats-Msg-Id', `event:${eventId}`);
      const payload = {
        v: 1,
        eventId,
        sessionId: randomUUID(),
        agentId: randomUUID(),
        type: 'command.start',
        at: new Date().toISOString(),
        offsetMs: i * 100,
        attributes: { command: `echo ${i}` },
      };
      await js.publish(`${name}.event.command.start`, JSON.stringify(payload), { headers: h });
    }

    await waitFor(async () => (await count()) >= 2, 20_000, 'the first effects');
    first.child.kill('SIGTERM');
    const code = await first.exit;
    expect({ code, output: code === 0 ? '' : first.output() }).toEqual({ code: 0, output: '' });
    const afterStop = await count();
    expect(afterStop).toBeLessThan(N);

    const second = startFixture(env);
    running.push(second);
    await waitFor(async () => (await count()) === N, 60_000, 'every effect after restart');
    second.child.kill('SIGTERM');
    expect(await second.exit).toBe(0);

    const { rows } = await pg.query<{ event_id: string }>(`SELECT event_id FROM ${table}`);
    expect(rows.map((r) => r.event_id).sort()).toEqual([...ids].sort());
  });

  it('refuses to start on a bad environment, naming each bad variable', async () => {
    const bad = startFixture({
      NATS_URL: 'http://not-nats',
      INDEXER_PORT: 'seventy',
      FIXTURE_TABLE: table,
    });
    running.push(bad);
    expect(await bad.exit).toBe(1);
    expect(bad.output()).toContain('NATS_URL');
    expect(bad.output()).toContain('INDEXER_PORT');
  });
});
