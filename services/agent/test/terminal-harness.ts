/**
 * What the terminal-agent suites share: the platform (policy and ingest spawned from dist
 * on the suite's own NATS namespace, PostgreSQL schemas and S3 bucket), the agent daemon
 * in this process, a driver for programs in a real pseudo-terminal, and readers for every
 * byte the platform stored (object store, database, NATS).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { Messaging, MessagingConnection, resolveOptions } from '@sessionrec/messaging';
import {
  connectTestNats,
  createTestBucket,
  createTestSchemas,
  deleteNamespaceStreams,
  deleteTestBucket,
  dropTestSchemas,
  freePort,
  readStream,
  testDatabaseUrl,
  testNatsUrl,
  testS3Options,
  waitFor,
} from '@sessionrec/testing';
import { spawn as spawnPty, type IPty } from 'node-pty';
import { Client } from 'pg';
import { AgentDaemon } from '../src/daemon/agent-daemon';
import { type AgentConfig, parseConfig } from '../src/daemon/config';
import type { SpoolItem } from '../src/spool/spool-item';
import { type CatalogSearchReply, castText, isGzip } from '@sessionrec/contracts';

export const ROOT = path.resolve(__dirname, '../../..');
export const SHELL_BIN = path.join(ROOT, 'services/agent/bin/sessionrec-shell.js');
const MAINS = {
  ingest: path.join(ROOT, 'services/ingest/dist/main.js'),
  policy: path.join(ROOT, 'services/policy/dist/main.js'),
  indexer: path.join(ROOT, 'services/indexer/dist/main.js'),
  cli: path.join(ROOT, 'libs/cli/dist/main.js'),
};

interface Child {
  child: ChildProcess;
  exit: Promise<unknown>;
  output: () => string;
}

export interface AgentEvent {
  type: string;
  offsetMs: number;
  recordingId?: string;
  attributes: Record<string, unknown>;
}

/** What ingest acknowledged, decoded from the spooled requests. */
export class Acked {
  readonly sessions: Record<string, unknown>[] = [];
  readonly ends: { sessionId: string; reason: string }[] = [];
  readonly recordings: (Record<string, unknown> & { sessionId: string; recordingId: string })[] =
    [];
  readonly stops: { recordingId: string; reason: string }[] = [];
  readonly segments: { recordingId: string; seq: number; text: string }[] = [];
  readonly events: (AgentEvent & { sessionId: string })[] = [];
  readonly metrics: Record<string, number>[] = [];

  readonly onAcked = (item: SpoolItem) => {
    const body = () => JSON.parse(item.body.toString('utf8')) as Record<string, unknown>;
    const sessionId = item.meta.lane;
    switch (item.meta.kind) {
      case 'session-start':
        this.sessions.push(body());
        break;
      case 'session-end':
        this.ends.push({ sessionId, reason: String(body().reason) });
        break;
      case 'recording-start':
        this.recordings.push({
          ...body(),
          sessionId,
          recordingId: String(body().recordingId),
        });
        break;
      case 'recording-stop':
        this.stops.push({ recordingId: item.meta.recordingId!, reason: String(body().reason) });
        break;
      case 'segment':
        this.segments.push({
          recordingId: item.meta.recordingId!,
          seq: Number(item.meta.path.split('/').pop()),
          // Stored compressed: the asciicast text is what the tests replay.
          text: castText(item.body).toString('utf8'),
        });
        break;
      case 'events':
        for (const event of (body() as { events: AgentEvent[] }).events)
          this.events.push({ ...event, sessionId });
        break;
      case 'metrics':
        this.metrics.push(...(body() as { samples: Record<string, number>[] }).samples);
        break;
    }
  };

  eventsOf(sessionId: string, type?: string): AgentEvent[] {
    return this.events.filter((e) => e.sessionId === sessionId && (!type || e.type === type));
  }
}

export class Platform {
  readonly work: Promise<string>;
  private workDir = '';
  nc!: NatsConnection;
  private connection!: MessagingConnection;
  messaging!: Messaging;
  ingestUrl = '';
  private ingestPort = 0;
  token = '';
  ingest: Child | undefined;
  private readonly children: Child[] = [];
  private readonly env: Record<string, string>;
  private bucket = '';

  constructor(
    readonly name: string,
    /** Also run the indexer, for suites that search the catalogue. */
    private readonly withIndexer = false,
  ) {
    this.env = {
      NATS_URL: testNatsUrl(),
      NATS_NAMESPACE: name,
      DATABASE_URL: testDatabaseUrl(),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      METRICS_ENABLED: 'false',
    };
    this.work = mkdtemp(path.join(os.tmpdir(), 'agent-terminal-'));
  }

  get dir(): string {
    return this.workDir;
  }

  async start(): Promise<void> {
    this.workDir = await this.work;
    // The wrapper runs as a test user in the sshd suite: it must reach the socket and config.
    await chmod(this.workDir, 0o755);
    await createTestSchemas(this.name);
    this.bucket = await createTestBucket(this.name);
    this.nc = await connectTestNats();
    this.connection = new MessagingConnection(
      resolveOptions({
        url: testNatsUrl(),
        namespace: this.name,
        serviceName: 'agent-terminal-test',
      }),
    );
    this.messaging = new Messaging(this.connection);
    const policyPort = await freePort();
    await this.spawnService(
      MAINS.policy,
      { DATABASE_SCHEMA: `${this.name}_policy`, POLICY_PORT: String(policyPort) },
      policyPort,
    );
    if (this.withIndexer) {
      const indexerPort = await freePort();
      await this.spawnService(
        MAINS.indexer,
        {
          ...this.storageEnv(),
          DATABASE_SCHEMA: `${this.name}_catalog`,
          INDEXER_PORT: String(indexerPort),
        },
        indexerPort,
      );
    }
    this.ingestPort = await freePort();
    this.ingestUrl = `http://127.0.0.1:${this.ingestPort}`;
    await this.startIngest();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [MAINS.cli, 'enrol-token', 'create', '--expires-in', '1h'],
      { env: { ...process.env, ...this.env, DATABASE_SCHEMA: `${this.name}_ingest` } },
    );
    this.token = stdout.split('\n')[0] ?? '';
  }

  /** The object store settings of this suite, for services that read what ingest stored. */
  storageEnv(): Record<string, string> {
    const s3 = testS3Options();
    return {
      STORAGE_URL: `s3://${this.bucket}`,
      S3_ENDPOINT: s3.endpoint,
      S3_REGION: s3.region ?? 'us-east-1',
      S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: s3.credentials?.accessKeyId ?? 'S3RVER',
      AWS_SECRET_ACCESS_KEY: s3.credentials?.secretAccessKey ?? 'S3RVER',
    };
  }

  async startIngest(): Promise<void> {
    this.ingest = await this.spawnService(
      MAINS.ingest,
      {
        ...this.storageEnv(),
        DATABASE_SCHEMA: `${this.name}_ingest`,
        INGEST_PORT: String(this.ingestPort),
        POLICY_FAILURE_MODE: 'record',
      },
      this.ingestPort,
    );
  }

  /** The catalogue's search (what the api's GET /api/v1/sessions?q= asks), over NATS. */
  async search(request: { q: string; event?: string }): Promise<CatalogSearchReply> {
    return this.messaging.request('catalog.search', { v: 1, limit: 25, ...request } as never, {
      timeoutMs: 10_000,
    });
  }

  async stopIngest(): Promise<void> {
    await stopChild(this.ingest);
    this.ingest = undefined;
  }

  async publishPolicy(document: unknown): Promise<number> {
    const reply = await this.messaging.request(
      'policy.put',
      { v: 1, document, actor: { id: 'test', name: 'terminal-test' } },
      { timeoutMs: 5_000 },
    );
    if (!reply.ok) throw new Error(`policy refused: ${JSON.stringify(reply.errors)}`);
    return reply.version;
  }

  /**
   * Sends a control command for a session the way the api does (on the CONTROL stream) and
   * waits for its result on RESPONSES; `said` is printed if none comes.
   */
  async command(
    target: { agentId: string; sessionId: string },
    action: string,
    params: Record<string, string> = {},
    said: () => string = () => '',
  ): Promise<{ status: string; detail?: string }> {
    const commandId = randomUUID();
    await this.messaging.publish('control.command', {
      v: 1,
      commandId,
      ...target,
      action,
      params,
      issuedAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
      issuedBy: 'agent-test',
    } as never);
    let result: { status: string; detail?: string } | undefined;
    await waitFor(
      async () => {
        const messages = await readStream(this.nc, this.name, 'RESPONSES');
        result = messages
          .map((m) => m.json<{ commandId: string; status: string; detail?: string }>())
          .find((r) => r.commandId === commandId);
        return result !== undefined;
      },
      30_000,
      `result of ${action}`,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; agent said:\n${said()}`);
    });
    return result!;
  }

  /** A configuration file for the daemon and wrappers of this suite. */
  async config(
    name: string,
    overrides: Record<string, unknown> = {},
  ): Promise<{ file: string; config: AgentConfig }> {
    const base = {
      ingest: this.ingestUrl,
      stateDir: path.join(this.workDir, name, 'state'),
      // Apart from the state directory (0700): users reach the socket.
      socket: path.join(this.workDir, `${name}-run`, 'agent.sock'),
      terminal: { segmentSeconds: 2, idleSeconds: 5, metricSeconds: 1, whenAgentDown: 'refuse' },
      ...overrides,
    };
    const file = path.join(this.workDir, `${name}.yaml`);
    const text = JSON.stringify(base); // JSON is YAML
    await writeFile(file, text, { mode: 0o644 });
    return { file, config: parseConfig(text, file) };
  }

  async daemon(config: AgentConfig, acked: Acked): Promise<AgentDaemon> {
    const daemon = new AgentDaemon({
      config,
      token: this.token,
      hostname: 'tty-host-1',
      log: (line) => {
        if (process.env.AGENT_TEST_LOG) console.error(line);
      },
      onAcked: acked.onAcked,
    });
    await daemon.start();
    return daemon;
  }

  /** Every object in the bucket, every row of the suite's schemas, every NATS message. */
  async everyStoredByte(): Promise<{ objects: Buffer[]; rows: string[]; messages: Buffer[] }> {
    const s3 = testS3Options();
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region ?? 'us-east-1',
      forcePathStyle: true,
      ...(s3.credentials ? { credentials: s3.credentials } : {}),
    });
    const objects: Buffer[] = [];
    try {
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) {
          const got = await client.send(
            new GetObjectCommand({ Bucket: this.bucket, Key: object.Key }),
          );
          const stored = Buffer.from(await got.Body!.transformToByteArray());
          objects.push(stored);
          // A compressed terminal segment counts with its text: a secret must not hide in it.
          if (isGzip(stored)) objects.push(castText(stored));
        }
        token = page.NextContinuationToken;
      } while (token);
    } finally {
      client.destroy();
    }
    const db = new Client({ connectionString: testDatabaseUrl() });
    await db.connect();
    const rows: string[] = [];
    try {
      const tables = await db.query<{ schema: string; table: string }>(
        `SELECT table_schema AS schema, table_name AS table FROM information_schema.tables
          WHERE table_schema LIKE $1 AND table_type = 'BASE TABLE'`,
        [`${this.name}\\_%`],
      );
      for (const { schema, table } of tables.rows) {
        const result = await db.query<{ row: string }>(
          `SELECT t::text AS row FROM "${schema}"."${table}" t`,
        );
        rows.push(...result.rows.map((r) => r.row));
      }
    } finally {
      await db.end();
    }
    const jsm = await jetstreamManager(this.nc);
    const prefix = `${this.name.toUpperCase()}_`;
    const messages: Buffer[] = [];
    for await (const stream of jsm.streams.names()) {
      if (!stream.startsWith(prefix)) continue;
      const { state } = await jsm.streams.info(stream);
      for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
        const message = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
        if (message) messages.push(Buffer.from(message.data));
      }
    }
    return { objects, rows, messages };
  }

  async stop(): Promise<void> {
    for (const child of this.children) await stopChild(child);
    await this.connection?.close();
    if (this.nc) {
      await deleteNamespaceStreams(this.nc, this.name);
      await this.nc.close();
    }
    await dropTestSchemas(this.name);
    await deleteTestBucket(this.name).catch(() => undefined);
    await rm(this.workDir || (await this.work), { recursive: true, force: true });
  }

  private async spawnService(main: string, extra: Record<string, string>, port: number) {
    const child = spawn(process.execPath, [main], {
      env: { ...process.env, ...this.env, ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const started: Child = {
      child,
      exit: new Promise((resolve) => child.once('exit', resolve)),
      output: () => out,
    };
    this.children.push(started);
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`${main} exited:\n${out}`);
        const res = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => null);
        return res?.status === 200;
      },
      30_000,
      `${path.basename(path.dirname(path.dirname(main)))} ready`,
    );
    return started;
  }
}

/**
 * The daemon traces execs on the kernel's sched_process_exec tracepoint, which needs
 * tracefs: systemd mounts it on every host; a bare test machine may not have.
 */
export async function ensureTracefs(): Promise<void> {
  if (existsSync('/sys/kernel/tracing/events')) return;
  await promisify(execFile)('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing']);
}

async function stopChild(child: Child | undefined): Promise<void> {
  if (!child) return;
  if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGTERM');
  await child.exit;
}

/** A program in a real pseudo-terminal, driven like a person at a keyboard. */
export class PtyDriver {
  private output = '';
  readonly exited: Promise<{ exitCode: number; signal?: number }>;
  private readonly pty: IPty;

  constructor(
    file: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    size = { cols: 100, rows: 30 },
  ) {
    this.pty = spawnPty(file, args, {
      name: 'xterm-256color',
      ...size,
      cwd: '/',
      env: env,
    });
    this.pty.onData((data) => (this.output += data));
    this.exited = new Promise((resolve) => this.pty.onExit(resolve));
  }

  get text(): string {
    return this.output;
  }

  /** Waits until the screen output (from `from` on) matches. */
  async expect(pattern: RegExp | string, timeoutMs = 20_000, from = 0): Promise<void> {
    const matches = () =>
      typeof pattern === 'string'
        ? this.output.indexOf(pattern, from) >= 0
        : pattern.test(this.output.slice(from));
    await waitFor(
      () => Promise.resolve(matches()),
      timeoutMs,
      `terminal shows ${String(pattern)}; got:\n${this.output.slice(-2000)}`,
    );
  }

  /** Types text a key at a time, as a person would. */
  async type(text: string, delayMs = 15): Promise<void> {
    for (const char of text) {
      this.pty.write(char);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }

  /** Types a command line and waits for what it prints, then for the next shell prompt. */
  async run(line: string, expected: string, prompt = /[#$] $/): Promise<void> {
    const from = this.output.length;
    await this.type(`${line}\r`);
    await this.expect(expected, 20_000, from);
    const after = this.output.indexOf(expected, from) + expected.length;
    await this.expect(prompt, 20_000, after);
  }

  resize(cols: number, rows: number): void {
    this.pty.resize(cols, rows);
  }

  kill(): void {
    try {
      this.pty.kill('SIGKILL');
    } catch {
      // gone
    }
  }
}

/** The 'o' text of a recording's segments, in sequence order (the replayed screen). */
export function replayed(acked: Acked, recordingId: string, code = 'o'): string {
  return acked.segments
    .filter((s) => s.recordingId === recordingId)
    .sort((a, b) => a.seq - b.seq)
    .flatMap((s) => s.text.split('\n').filter(Boolean))
    .map((line) => JSON.parse(line) as unknown)
    .filter((line): line is [number, string, string] => Array.isArray(line) && line[1] === code)
    .map((line) => line[2])
    .join('');
}
