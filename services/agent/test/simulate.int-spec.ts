/**
 * The simulator against the real ingest service (spawned from dist, on this suite's own
 * NATS namespace, PostgreSQL schema and a filesystem store), enrolled with a token from
 * `sessionrec enrol-token create`: every acknowledged segment is in the store with the
 * bytes and hash chain the agent sent, every acknowledged event is on the EVENTS stream
 * exactly once, a run interrupted by an ingest outage delivers its spool afterwards,
 * commands on the control channel stop and start recordings, and a revoked agent stops
 * with its spool intact.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { NatsConnection } from '@nats-io/nats-core';
import { Messaging, MessagingConnection, resolveOptions } from '@sessionrec/messaging';
import {
  connectTestNats,
  createTestSchemas,
  deleteNamespaceStreams,
  dropTestSchemas,
  readStream,
  testDatabaseUrl,
  testNatsUrl,
  uniqueTestName,
  waitFor,
  freePort,
} from '@sessionrec/testing';
import { Client } from 'pg';
import { AgentCredentialError, runSimulation } from '../src/simulate';
import type { SpoolItem } from '../src/spool/spool-item';

const ROOT = path.resolve(__dirname, '../../..');
const INGEST_MAIN = path.join(ROOT, 'services/ingest/dist/main.js');
const CLI_MAIN = path.join(ROOT, 'libs/cli/dist/main.js');

interface Segment {
  recordingId: string;
  seq: number;
  sha256: string;
  prevSha256?: string;
  kind: string;
}

/** What ingest acknowledged during a run, decoded from the spooled requests. */
function collector() {
  const segments: Segment[] = [];
  const eventIds: string[] = [];
  const sessionStarts: number[] = [];
  const onAcked = (item: SpoolItem) => {
    if (item.meta.kind === 'session-start') {
      const { startedAt } = JSON.parse(item.body.toString('utf8')) as { startedAt: string };
      sessionStarts.push(Date.parse(startedAt));
    }
    if (item.meta.kind === 'segment') {
      const match = /^\/recordings\/([^/]+)\/segments\/(\d+)$/.exec(item.meta.path)!;
      segments.push({
        recordingId: match[1]!,
        seq: Number(match[2]),
        sha256: item.meta.headers['x-segment-sha256']!,
        prevSha256: item.meta.headers['x-segment-prev-sha256'],
        kind: item.meta.headers['x-segment-kind']!,
      });
      expect(createHash('sha256').update(item.body).digest('hex')).toBe(segments.at(-1)!.sha256);
    }
    if (item.meta.kind === 'events') {
      const batch = JSON.parse(item.body.toString('utf8')) as { events: { eventId: string }[] };
      eventIds.push(...batch.events.map((event) => event.eventId));
    }
  };
  return { segments, eventIds, sessionStarts, onAcked };
}

describe('sessionrec-agent simulate against the real ingest', () => {
  const name = uniqueTestName('agent_sim');
  const env: Record<string, string> = {
    NATS_URL: testNatsUrl(),
    NATS_NAMESPACE: name,
    DATABASE_URL: testDatabaseUrl(),
    DATABASE_SCHEMA: `${name}_ingest`,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    METRICS_ENABLED: 'false',
  };
  let nc: NatsConnection;
  let work: string;
  let storeDir: string;
  let ingestUrl: string;
  let ingest: { child: ChildProcess; exit: Promise<unknown>; output: () => string } | undefined;

  async function startIngest(port: number): Promise<void> {
    const child = spawn(process.execPath, [INGEST_MAIN], {
      env: { ...process.env, ...env, STORAGE_URL: `file://${storeDir}`, INGEST_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const exit = new Promise((resolve) => child.once('exit', resolve));
    ingest = { child, exit, output: () => out };
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`ingest exited:\n${out}`);
        const res = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => null);
        return res?.status === 200;
      },
      30_000,
      'ingest ready',
    );
  }

  async function stopIngest(): Promise<void> {
    if (!ingest) return;
    const { child, exit } = ingest;
    ingest = undefined;
    if (child.exitCode === null) child.kill('SIGTERM');
    await exit;
  }

  async function enrolToken(): Promise<string> {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [CLI_MAIN, 'enrol-token', 'create', '--expires-in', '1h', '--note', 'agent simulator test'],
      { env: { ...process.env, ...env } },
    );
    const token = stdout.split('\n')[0] ?? '';
    expect(token).toMatch(/^sre_/);
    return token;
  }

  async function storedObjects(): Promise<
    Map<
      string,
      { recordingId: string; seq: number; sha256: string; prevSha256?: string; key: string }
    >
  > {
    const messages = await readStream(nc, name, 'SEGMENTS');
    const stored = new Map<
      string,
      { recordingId: string; seq: number; sha256: string; prevSha256?: string; key: string }
    >();
    for (const message of messages) {
      if (!message.subject.endsWith('segment.stored')) continue;
      const body = message.json<{
        recordingId: string;
        seq: number;
        sha256: string;
        prevSha256?: string;
        key: string;
      }>();
      stored.set(`${body.recordingId}/${body.seq}`, body);
    }
    return stored;
  }

  async function expectDelivered(run: ReturnType<typeof collector>): Promise<void> {
    const stored = await storedObjects();
    expect(run.segments.length).toBeGreaterThan(0);
    for (const segment of run.segments) {
      const entry = stored.get(`${segment.recordingId}/${segment.seq}`);
      expect(entry).toMatchObject({ sha256: segment.sha256 });
      expect(entry?.prevSha256).toBe(segment.prevSha256);
      const bytes = await readFile(path.join(storeDir, entry!.key));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(segment.sha256);
    }
    const events = await readStream(nc, name, 'EVENTS');
    const counts = new Map<string, number>();
    for (const message of events) {
      const { eventId } = message.json<{ eventId: string }>();
      counts.set(eventId, (counts.get(eventId) ?? 0) + 1);
    }
    expect(run.eventIds.length).toBeGreaterThan(0);
    expect(run.eventIds.filter((id) => counts.get(id) !== 1)).toEqual([]);
  }

  beforeAll(async () => {
    await createTestSchemas(name);
    nc = await connectTestNats();
    work = await mkdtemp(path.join(os.tmpdir(), 'agent-sim-'));
    storeDir = path.join(work, 'store');
    const port = await freePort();
    ingestUrl = `http://127.0.0.1:${port}`;
    await startIngest(port);
  });

  afterAll(async () => {
    await stopIngest();
    await deleteNamespaceStreams(nc, name);
    await nc.close();
    await dropTestSchemas(name);
    await rm(work, { recursive: true, force: true });
  });

  it('enrols, records a desktop and a terminal session, and everything arrives once', async () => {
    const run = collector();
    const summary = await runSimulation(
      {
        ingest: ingestUrl,
        token: await enrolToken(),
        stateDir: path.join(work, 'state'),
        sessions: 2,
        durationSeconds: 18,
        kind: 'mixed',
        segmentSeconds: 6,
        speed: 10,
        rampUpSeconds: 6,
        seed: 42,
        progressIntervalMs: 0,
        record: 'always',
      },
      { onAcked: run.onAcked },
    );
    // Two sessions over a 6-second ramp: the second starts 3 simulated seconds later.
    const [first, second] = [...run.sessionStarts].sort((a, b) => a - b);
    expect(second! - first!).toBeGreaterThanOrEqual(2500);
    expect(second! - first!).toBeLessThan(4500);
    expect(summary.errors).toBe(0);
    expect(summary.sessions).toEqual({ started: 2, ended: 2 });
    expect(summary.recordings).toEqual({ started: 2, stopped: 2 });
    expect(summary.segments.acked).toBe(summary.segments.sent);
    expect(summary.events.acked).toBe(summary.events.sent);
    expect(summary.metrics.acked).toBe(summary.metrics.sent);
    expect(summary.spool.remaining).toBe(0);
    // Events and metrics travelled in POST /batches (each batch counted as an attempt).
    // The simulator reports its own event-loop lateness, which its latencies include.
    expect(summary.loopDelayMs?.p99).toBeGreaterThanOrEqual(0);
    expect(summary.loopDelayMs?.max).toBeGreaterThanOrEqual(summary.loopDelayMs?.p99 ?? Infinity);
    expect(summary.requests.combined).toBeGreaterThan(0);
    expect(summary.requests.combined).toBeLessThanOrEqual(
      summary.events.batches + summary.metrics.batches,
    );
    expect(run.segments.map((s) => s.kind).sort()).toEqual(
      expect.arrayContaining(['init', 'media', 'cast']),
    );
    // The desktop recording: init as seq 0, then one 6-second fragment per window.
    expect(run.segments.filter((s) => s.kind === 'media')).toHaveLength(3);
    await expectDelivered(run);
  });

  it('keeps what it could not send in the spool while ingest is down, and sends it first on the next run', async () => {
    const stateDir = path.join(work, 'state-outage');
    const port = Number(new URL(ingestUrl).port);
    const first = collector();
    const token = await enrolToken();
    const enrolled = await runSimulation(
      {
        ingest: ingestUrl,
        token,
        stateDir,
        sessions: 1,
        durationSeconds: 1,
        kind: 'terminal',
        speed: 10,
        progressIntervalMs: 0,
        record: 'always',
        control: false,
      },
      { onAcked: first.onAcked },
    );
    expect(enrolled.errors).toBe(0);
    await stopIngest();

    const outage = collector();
    const interrupted = await runSimulation(
      {
        ingest: ingestUrl,
        stateDir,
        sessions: 2,
        durationSeconds: 12,
        kind: 'mixed',
        speed: 20,
        drainTimeoutSeconds: 1,
        progressIntervalMs: 0,
        record: 'always',
        control: false,
      },
      { onAcked: outage.onAcked },
    );
    expect(interrupted.segments.acked).toBe(0);
    expect(interrupted.spool.remaining).toBeGreaterThan(0);
    expect(interrupted.requests.retries).toBeGreaterThan(0);

    await startIngest(port);
    const resumed = collector();
    const after = await runSimulation(
      {
        ingest: ingestUrl,
        stateDir,
        sessions: 1,
        durationSeconds: 6,
        kind: 'terminal',
        speed: 20,
        progressIntervalMs: 0,
        record: 'always',
        control: false,
      },
      { onAcked: resumed.onAcked },
    );
    expect(after.errors).toBe(0);
    expect(after.spool.recovered).toBe(interrupted.spool.remaining);
    expect(after.sessions.started).toBe(3); // the two spooled sessions and the new one
    expect(after.sessions.ended).toBe(3);
    await expectDelivered(resumed);
  });

  it('stops and restarts a recording when commanded over the control channel', async () => {
    const stateDir = path.join(work, 'state-control');
    const connection = new MessagingConnection(
      resolveOptions({ url: testNatsUrl(), namespace: name, serviceName: 'agent-test' }),
    );
    const messaging = new Messaging(connection);
    const pg = new Client({ connectionString: testDatabaseUrl() });
    await pg.connect();
    let agentId = '';
    let sessionId = '';
    const sent: string[] = [];
    const command = (action: 'stop-recording' | 'start-recording') => {
      sent.push(action);
      const now = Date.now();
      void messaging.publish('control.command', {
        v: 1,
        commandId: randomUUID(),
        agentId,
        sessionId,
        action,
        params: { actor: 'investigator-1' },
        issuedAt: new Date(now).toISOString(),
        expiresAt: new Date(now + 60_000).toISOString(),
        issuedBy: 'investigator-1',
      });
    };
    try {
      const run = collector();
      const token = await enrolToken();
      const summary = await runSimulation(
        {
          ingest: ingestUrl,
          token,
          stateDir,
          sessions: 1,
          durationSeconds: 60,
          kind: 'desktop',
          speed: 4,
          progressIntervalMs: 0,
          record: 'always',
        },
        {
          onAcked: (item) => {
            run.onAcked(item);
            if (item.meta.kind === 'session-start') {
              sessionId = (JSON.parse(item.body.toString('utf8')) as { sessionId: string })
                .sessionId;
            }
            const media = run.segments.filter((segment) => segment.kind === 'media').length;
            if (item.meta.kind === 'segment' && media === 1 && sent.length === 0)
              command('stop-recording');
            if (item.meta.kind === 'recording-stop' && sent.length === 1)
              command('start-recording');
          },
          log: (line) => {
            const match = /agent ([0-9a-f-]{36})/.exec(line);
            if (match) agentId = match[1]!;
          },
        },
      );
      expect(sent).toEqual(['stop-recording', 'start-recording']);
      expect(summary.errors).toBe(0);
      expect(summary.control).toMatchObject({ commands: 2, acked: 2, failed: 0 });
      expect(summary.recordings).toEqual({ started: 2, stopped: 2 });
      const { rows } = await pg.query<{ start_reason: string; stop_reason: string }>(
        `SELECT start_reason, stop_reason FROM "${name}_ingest".recordings WHERE session_id = $1 ORDER BY started_at`,
        [sessionId],
      );
      expect(rows).toEqual([
        expect.objectContaining({ stop_reason: 'admin' }),
        expect.objectContaining({ start_reason: 'admin', stop_reason: 'session-end' }),
      ]);
      // Each recording has its own chain starting at its own init segment.
      expect(run.segments.filter((segment) => segment.kind === 'init').map((s) => s.seq)).toEqual([
        0, 0,
      ]);
      await expectDelivered(run);
    } finally {
      await connection.close();
      await pg.end();
    }
  });

  it('lands everything exactly once across an ingest crash mid-upload and a dropped control socket', async () => {
    const stateDir = path.join(work, 'state-crash');
    const port = Number(new URL(ingestUrl).port);
    const connection = new MessagingConnection(
      resolveOptions({ url: testNatsUrl(), namespace: name, serviceName: 'agent-crash-test' }),
    );
    const messaging = new Messaging(connection);
    let agentId = '';
    let crashed: Promise<void> | undefined;
    let commandSent = false;
    const run = collector();
    try {
      const summary = await runSimulation(
        {
          ingest: ingestUrl,
          token: await enrolToken(),
          stateDir,
          sessions: 3,
          durationSeconds: 60,
          kind: 'mixed',
          speed: 6,
          progressIntervalMs: 0,
          record: 'always',
        },
        {
          onAcked: (item) => {
            run.onAcked(item);
            // Kill ingest without warning while uploads are in flight, then bring it back:
            // unacknowledged requests stay in the spool and are retried; the control
            // WebSocket drops and reconnects.
            if (!crashed && run.segments.length === 4) {
              crashed = (async () => {
                const current = ingest!;
                ingest = undefined;
                current.child.kill('SIGKILL');
                await current.exit;
                await new Promise((resolve) => setTimeout(resolve, 500));
                await startIngest(port);
              })();
            }
            // A command published after the restart reaches the agent over the new socket.
            if (crashed && !commandSent && ingest && item.meta.kind === 'events') {
              commandSent = true;
              const now = Date.now();
              void messaging.publish('control.command', {
                v: 1,
                commandId: randomUUID(),
                agentId,
                action: 'notice',
                params: { text: 'Recording continues' },
                issuedAt: new Date(now).toISOString(),
                expiresAt: new Date(now + 60_000).toISOString(),
                issuedBy: 'investigator-1',
              });
            }
          },
          log: (line) => {
            const match = /agent ([0-9a-f-]{36})/.exec(line);
            if (match) agentId = match[1]!;
          },
        },
      );
      await crashed;
      expect(commandSent).toBe(true);
      expect(summary.errors).toBe(0);
      expect(summary.spool.remaining).toBe(0);
      expect(summary.sessions).toEqual({ started: 3, ended: 3 });
      expect(summary.segments.acked).toBe(summary.segments.sent);
      expect(summary.events.acked).toBe(summary.events.sent);
      expect(summary.control?.disconnects).toBeGreaterThanOrEqual(1);
      expect(summary.control?.connects).toBeGreaterThanOrEqual(2);
      expect(summary.control?.acked).toBeGreaterThanOrEqual(1);
      // Exactly once: one stored announcement per acknowledged segment, one event message
      // per acknowledged event, every object's bytes as sent.
      const announced = (await readStream(nc, name, 'SEGMENTS')).filter((m) =>
        m.subject.endsWith('segment.stored'),
      );
      const recordings = new Set(run.segments.map((segment) => segment.recordingId));
      const ours = announced.filter((m) =>
        recordings.has(m.json<{ recordingId: string }>().recordingId),
      );
      expect(ours).toHaveLength(new Set(run.segments.map((x) => `${x.recordingId}/${x.seq}`)).size);
      await expectDelivered(run);
    } finally {
      await connection.close();
    }
  });

  it('stops with its spool intact when the agent is revoked', async () => {
    const stateDir = path.join(work, 'state-revoked');
    const first = await runSimulation({
      ingest: ingestUrl,
      token: await enrolToken(),
      stateDir,
      sessions: 1,
      durationSeconds: 1,
      kind: 'terminal',
      speed: 10,
      progressIntervalMs: 0,
      record: 'always',
      control: false,
    });
    await promisify(execFile)(
      process.execPath,
      [CLI_MAIN, 'agent', 'revoke', first.agentId, '--reason', 'test'],
      {
        env: { ...process.env, ...env },
      },
    );
    const revoked = runSimulation({
      ingest: ingestUrl,
      stateDir,
      sessions: 1,
      durationSeconds: 30,
      kind: 'terminal',
      speed: 10,
      progressIntervalMs: 0,
      record: 'always',
      control: false,
    });
    await expect(revoked).rejects.toThrow(AgentCredentialError);
    const spoolQueue = path.join(first.spool.dir, 'queue');
    expect((await readdir(spoolQueue)).length).toBeGreaterThan(0);
  });
});
