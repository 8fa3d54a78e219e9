/**
 * `npm start`: the whole platform on one machine. Checks PostgreSQL and NATS (with the fix
 * when one is missing), migrates, prepares local storage, runs every service as a child,
 * waits until each answers /health/ready, and stops them all on Ctrl-C or when one dies.
 * Everything it runs is passed in, so tests drive it with fake services.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { type StorageLocation } from '@sessionrec/config';
import { ensureDatabase, runMigrations, type Owner } from '@sessionrec/database';
import { type NatsTarget } from '../environment';
import { describeExit, ServiceChild, type Write } from './child';
import { checkNats, checkPostgres } from './dependencies';
import { ServiceEntryMissingError } from './errors';
import { probeReady } from './ready-probe';
import { type ServiceSpec } from './services';

export interface SignalSource {
  on(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

export interface StartPlatformOptions {
  readonly databaseUrl: string;
  readonly nats: NatsTarget;
  readonly storage: StorageLocation;
  readonly services: readonly ServiceSpec[];
  /** Printed once every service is ready. */
  readonly banner: string;
  /** Tests migrate into their own schemas; the platform uses each owner's name. */
  readonly schemaFor?: (owner: Owner) => string;
  readonly write?: Write;
  readonly signals?: SignalSource;
  readonly readyTimeoutMs?: number;
  readonly stopTimeoutMs?: number;
  readonly pollIntervalMs?: number;
  /** Called once all services are ready, with their process ids. */
  readonly onReady?: (children: readonly { name: string; pid: number | undefined }[]) => void;
}

const defaultWrite: Write = (line, stream) =>
  (stream === 'err' ? process.stderr : process.stdout).write(`${line}\n`);

type Outcome =
  | { kind: 'signal'; signal: string }
  | { kind: 'crash'; message: string }
  | { kind: 'timeout'; message: string };

/** Runs until stopped; resolves with the process exit code (0 after Ctrl-C / SIGTERM). */
export async function startPlatform(options: StartPlatformOptions): Promise<number> {
  const write = options.write ?? defaultWrite;
  const say = (text: string) => text.split('\n').forEach((line) => write(line, 'out'));
  const complain = (text: string) => text.split('\n').forEach((line) => write(line, 'err'));
  const signals = options.signals ?? process;
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;

  let settle: (outcome: Outcome) => void = () => undefined;
  const outcome = new Promise<Outcome>((resolve) => (settle = resolve));
  let stopping = false;
  let children: ServiceChild[] = [];
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => () => {
    if (stopping) {
      // A second Ctrl-C: the user does not want to wait for a graceful stop.
      for (const child of children) child.signal('SIGKILL');
      return;
    }
    stopping = true;
    settle({ kind: 'signal', signal });
  };
  const onInt = onSignal('SIGINT');
  const onTerm = onSignal('SIGTERM');
  signals.on('SIGINT', onInt);
  signals.on('SIGTERM', onTerm);
  // If the launcher itself dies, its children must not outlive it.
  const killAll = () => children.forEach((child) => child.signal('SIGKILL'));
  process.on('exit', killAll);
  // The services run in their own process group, so a terminal's Ctrl-C reaches only the
  // launcher. When whoever started us goes away without signalling us (npm killed by a
  // supervisor or `timeout`), we are re-parented: stop as on SIGTERM.
  const parent = process.ppid;
  const orphanWatch =
    signals === process
      ? setInterval(() => {
          if (process.ppid !== parent) onTerm();
        }, 1000)
      : undefined;
  orphanWatch?.unref();

  try {
    try {
      await prepare(options, say);
    } catch (error) {
      complain(error instanceof Error ? error.message : String(error));
      return 1;
    }
    if (stopping) return 0;

    const width = Math.max(...options.services.map((spec) => spec.name.length));
    children = options.services.map(
      (spec) => new ServiceChild(spec, `${spec.name.padEnd(width)} | `, write),
    );
    for (const child of children) {
      void child.exited.then((exit) => {
        if (!stopping) {
          stopping = true;
          settle({ kind: 'crash', message: `${child.name} ${describeExit(exit)}` });
        }
      });
    }
    say(`Starting ${children.map((child) => child.name).join(', ')}…`);

    const waiting = waitUntilReady(children, options, say, () => stopping);
    void waiting.then((result) => {
      if (stopping) return;
      if (result === true) {
        say(options.banner);
        options.onReady?.(children.map((child) => ({ name: child.name, pid: child.pid })));
      } else {
        stopping = true;
        settle({ kind: 'timeout', message: result });
      }
    });

    const ended = await outcome;
    if (ended.kind === 'signal') say(`${ended.signal} received: stopping the services…`);
    else complain(`${ended.message}: stopping the other services.`);
    await Promise.all(children.map((child) => child.stop(stopTimeoutMs)));
    await waiting;
    if (ended.kind === 'signal') {
      say('Sessionrec stopped.');
      return 0;
    }
    complain(`Sessionrec stopped because ${ended.message}.`);
    return 1;
  } finally {
    clearInterval(orphanWatch);
    signals.off('SIGINT', onInt);
    signals.off('SIGTERM', onTerm);
    process.off('exit', killAll);
  }
}

async function prepare(options: StartPlatformOptions, say: (line: string) => void): Promise<void> {
  for (const spec of options.services) {
    if (spec.entry !== undefined && !existsSync(spec.entry)) {
      throw new ServiceEntryMissingError(
        `${spec.name}: ${spec.entry} does not exist. Build first: npm run build`,
      );
    }
  }
  await checkPostgres(options.databaseUrl);
  say('PostgreSQL is answering.');
  await checkNats(options.nats);
  say('NATS is answering, with JetStream.');

  const database = await ensureDatabase(options.databaseUrl);
  if (database.created) say(`Created database ${database.database}.`);
  const summary = await runMigrations({
    url: options.databaseUrl,
    schemaFor: options.schemaFor,
    log: say,
  });
  say(
    summary.appliedCount === 0
      ? 'Database schemas are up to date.'
      : `Applied ${summary.appliedCount} migration(s).`,
  );

  if (options.storage.driver === 'file') {
    await mkdir(options.storage.root, { recursive: true });
    say(`Recordings are stored in ${options.storage.root}`);
  } else {
    say(`Recordings are stored in ${options.storage.url}`);
  }
}

/** true once every child answers ready; otherwise why not, after the deadline. */
async function waitUntilReady(
  children: readonly ServiceChild[],
  options: StartPlatformOptions,
  say: (line: string) => void,
  stopped: () => boolean,
): Promise<true | string> {
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const intervalMs = options.pollIntervalMs ?? 250;
  const started = Date.now();
  const pending = new Map(children.map((child) => [child.name, 'not asked yet']));
  let lastProgress = started;
  while (!stopped()) {
    await Promise.all(
      children
        .filter((child) => pending.has(child.name))
        .map(async (child) => {
          const probe = await probeReady(child.spec.readyUrl);
          if (probe.ready) {
            pending.delete(child.name);
            if (!stopped()) say(`${child.name} is ready (${child.spec.readyUrl})`);
          } else {
            pending.set(child.name, probe.why);
          }
        }),
    );
    if (pending.size === 0) return true;
    const elapsed = Date.now() - started;
    if (elapsed >= timeoutMs) {
      const detail = [...pending].map(([name, why]) => `${name} (${why})`).join(', ');
      return `services not ready after ${Math.round(timeoutMs / 1000)} s: ${detail}`;
    }
    if (Date.now() - lastProgress >= 5000) {
      lastProgress = Date.now();
      say(`Waiting for ${[...pending.keys()].join(', ')}… (${Math.round(elapsed / 1000)} s)`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return 'stopped';
}
