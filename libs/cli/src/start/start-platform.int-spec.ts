import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type StorageLocation } from '@sessionrec/config';
import { dropTestSchemas, testDatabaseUrl, uniqueTestName } from '@sessionrec/testing';
import { type ServiceSpec } from './services';
import { startPlatform, type StartPlatformOptions } from './start-platform';

/** A fake service: answers /health/ready once "booted", then behaves as MODE says. */
const FAKE_SERVICE = `
const http = require('node:http');
const mode = process.env.MODE || 'normal';
let ready = false;
setTimeout(() => { ready = true; }, 100);
const server = http.createServer((req, res) => {
  res.statusCode = ready && mode !== 'never-ready' && req.url === '/health/ready' ? 200 : 503;
  res.end();
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening on ' + process.env.PORT));
process.on('SIGTERM', () => {
  if (mode === 'stubborn') { console.log('ignoring SIGTERM'); return; }
  console.log('stopping');
  server.close(() => process.exit(0));
});
if (mode === 'crash') setTimeout(() => { console.error('boom'); process.exit(3); }, 400);
`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function fake(name: string, mode = 'normal'): Promise<ServiceSpec> {
  const port = await freePort();
  return {
    name,
    command: process.execPath,
    args: ['-e', FAKE_SERVICE],
    env: { PATH: process.env.PATH ?? '', PORT: String(port), MODE: mode },
    readyUrl: `http://127.0.0.1:${port}/health/ready`,
  };
}

describe('startPlatform with fake services (real PostgreSQL and NATS)', () => {
  const prefix = uniqueTestName('cli_start');
  const dataDir = mkdtempSync(join(tmpdir(), 'sessionrec-start-'));
  const objects = join(dataDir, 'objects');
  const storage: StorageLocation = {
    driver: 'file',
    root: objects,
    url: pathToFileURL(objects).href,
  };
  const natsUrl = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

  afterAll(async () => {
    await dropTestSchemas(prefix);
    rmSync(dataDir, { recursive: true, force: true });
  });

  function run(overrides: Partial<StartPlatformOptions> & { services: readonly ServiceSpec[] }) {
    const lines: string[] = [];
    const signals = new EventEmitter();
    let resolveReady: (pids: (number | undefined)[]) => void = () => undefined;
    const ready = new Promise<(number | undefined)[]>((resolve) => (resolveReady = resolve));
    const exitCode = startPlatform({
      databaseUrl: testDatabaseUrl(),
      nats: { servers: [natsUrl] },
      storage,
      banner: 'Sessionrec is running: test banner',
      schemaFor: (owner) => `${prefix}_${owner}`,
      write: (line) => lines.push(line),
      signals,
      pollIntervalMs: 50,
      stopTimeoutMs: 5000,
      onReady: (children) => resolveReady(children.map((child) => child.pid)),
      ...overrides,
    });
    return { lines, signals, ready, exitCode };
  }

  it('migrates, prepares storage, prints the banner when all are ready, and stops on SIGTERM', async () => {
    const platform = run({ services: [await fake('alpha'), await fake('beta')] });
    const pids = await platform.ready;

    expect(platform.lines).toContain('Sessionrec is running: test banner');
    expect(platform.lines.some((line) => line.startsWith('alpha | listening on '))).toBe(true);
    expect(platform.lines.some((line) => line.startsWith('beta  | listening on '))).toBe(true);
    expect(platform.lines.some((line) => line.includes(`schema ${prefix}_catalog`))).toBe(true);
    expect(existsSync(objects)).toBe(true);
    expect(pids.every(isAlive)).toBe(true);

    platform.signals.emit('SIGTERM');
    await expect(platform.exitCode).resolves.toBe(0);
    expect(pids.some(isAlive)).toBe(false);
    expect(platform.lines).toContain('alpha | stopping');
    expect(platform.lines).toContain('Sessionrec stopped.');
    expect(platform.signals.listenerCount('SIGTERM')).toBe(0);
    expect(platform.signals.listenerCount('SIGINT')).toBe(0);
  });

  it('kills a service that ignores SIGTERM once the grace period is over', async () => {
    const platform = run({ services: [await fake('stubborn', 'stubborn')], stopTimeoutMs: 300 });
    const [pid] = await platform.ready;
    platform.signals.emit('SIGINT');
    await expect(platform.exitCode).resolves.toBe(0);
    expect(isAlive(pid)).toBe(false);
    expect(platform.lines).toContain('stubborn | ignoring SIGTERM');
  });

  it('stops the others and exits non-zero naming a service that crashes', async () => {
    const platform = run({ services: [await fake('steady'), await fake('indexer', 'crash')] });
    const code = await platform.exitCode;
    expect(code).toBe(1);
    expect(platform.lines).toContain('indexer | boom');
    expect(platform.lines).toContain(
      'Sessionrec stopped because indexer exited unexpectedly with code 3.',
    );
    expect(platform.lines).toContain('steady  | stopping');
  });

  it('gives up, naming the service, when one never becomes ready', async () => {
    const platform = run({
      services: [await fake('fine'), await fake('sluggish', 'never-ready')],
      readyTimeoutMs: 1000,
    });
    await expect(platform.exitCode).resolves.toBe(1);
    expect(platform.lines.join('\n')).toMatch(
      /services not ready after 1 s: sluggish \(HTTP 503\)/,
    );
    expect(platform.lines).not.toContain('Sessionrec is running: test banner');
  });

  it('prints exactly how to start PostgreSQL when it is not there, and starts nothing', async () => {
    const port = await freePort();
    const spec = await fake('never-started');
    const platform = run({
      databaseUrl: `postgres://postgres:hunter2@127.0.0.1:${port}/sessionrec`,
      services: [spec],
    });
    await expect(platform.exitCode).resolves.toBe(1);
    const output = platform.lines.join('\n');
    expect(output).toContain(
      `PostgreSQL is not answering at postgres://postgres:***@127.0.0.1:${port}/sessionrec`,
    );
    expect(platform.lines).toContain(
      '  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
    );
    expect(platform.lines).toContain('  apt-get install postgresql');
    expect(output).not.toContain('hunter2');
    expect(output).not.toContain('never-started |');
  });

  it('prints exactly how to start NATS when it is not there', async () => {
    const port = await freePort();
    const platform = run({ nats: { servers: [`nats://127.0.0.1:${port}`] }, services: [] });
    await expect(platform.exitCode).resolves.toBe(1);
    expect(platform.lines).toContain(
      `  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p ${port} -js -sd /var/lib/nats-server -l /var/log/nats-server.log`,
    );
    expect(platform.lines).toContain('  apt-get install nats-server');
  });

  describe('with a NATS server that has no JetStream', () => {
    let natsServer: ChildProcess;
    let port: number;

    beforeAll(async () => {
      port = await freePort();
      natsServer = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port)], {
        stdio: 'ignore',
      });
      for (let attempt = 0; attempt < 100; attempt += 1) {
        const up = await new Promise<boolean>((resolve) => {
          const socket = connect(port, '127.0.0.1');
          socket.once('connect', () => {
            socket.destroy();
            resolve(true);
          });
          socket.once('error', () => resolve(false));
        });
        if (up) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('nats-server did not start');
    });

    afterAll(async () => {
      const exited = new Promise((resolve) => natsServer.once('exit', resolve));
      natsServer.kill('SIGTERM');
      await exited;
    });

    it('says JetStream must be enabled', async () => {
      const platform = run({ nats: { servers: [`nats://127.0.0.1:${port}`] }, services: [] });
      await expect(platform.exitCode).resolves.toBe(1);
      const output = platform.lines.join('\n');
      expect(output).toContain('answers but JetStream is not available');
      expect(output).toContain('JetStream must be enabled: restart nats-server with -js');
    });
  });

  it('refuses to start a service whose build is missing', async () => {
    const spec = { ...(await fake('ghost')), entry: join(dataDir, 'nope', 'main.js') };
    const platform = run({ services: [spec] });
    await expect(platform.exitCode).resolves.toBe(1);
    expect(platform.lines.join('\n')).toContain('does not exist. Build first: npm run build');
  });
});
