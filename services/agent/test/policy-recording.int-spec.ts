/**
 * The simulator obeying real policy decisions: ingest and the policy service spawned from
 * dist on this suite's own NATS namespace and PostgreSQL schemas, a policy published over
 * NATS (`policy.put`). A record-on-event session starts unrecorded and, when the trigger
 * fires, uploads the pre-event minutes first; a policy change reaches the running agent
 * over the control channel and starts recording; with the policy service down, ingest's
 * failure mode decides.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
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
  freePort,
  readStream,
  type ServiceProcess,
  startServiceProcess,
  testDatabaseUrl,
  testNatsUrl,
  uniqueTestName,
  waitFor,
} from '@sessionrec/testing';
import { runSimulation } from '../src/simulate';
import type { SpoolItem } from '../src/spool/spool-item';

const ROOT = path.resolve(__dirname, '../../..');
const MAINS = {
  ingest: path.join(ROOT, 'services/ingest/dist/main.js'),
  policy: path.join(ROOT, 'services/policy/dist/main.js'),
  cli: path.join(ROOT, 'libs/cli/dist/main.js'),
};

interface RecordingStart {
  sessionId: string;
  recordingId: string;
  reason: string;
  ruleId?: string;
  policyVersion?: number;
  actor?: string;
  at: string;
}

/** What ingest acknowledged during a run, decoded from the spooled requests. */
function collector() {
  const sessions = new Map<string, string>(); // sessionId -> startedAt
  const recordings: RecordingStart[] = [];
  const segments: { recordingId: string; startMs: number; endMs: number }[] = [];
  type Event = {
    sessionId: string;
    type: string;
    recordingId?: string;
    offsetMs: number;
    attributes: Record<string, unknown>;
  };
  const events: Event[] = [];
  const onAcked = (item: SpoolItem) => {
    const body = () => JSON.parse(item.body.toString('utf8')) as Record<string, unknown>;
    if (item.meta.kind === 'session-start') {
      const b = body();
      sessions.set(String(b.sessionId), String(b.startedAt));
    } else if (item.meta.kind === 'recording-start') {
      const sessionId = /^\/sessions\/([^/]+)\/recordings$/.exec(item.meta.path)![1]!;
      recordings.push({ ...(body() as unknown as RecordingStart), sessionId });
    } else if (item.meta.kind === 'segment' && item.meta.recordingId) {
      const kind = item.meta.headers['x-segment-kind'];
      if (kind === 'init') return;
      segments.push({
        recordingId: item.meta.recordingId,
        startMs: Number(item.meta.headers['x-segment-start-ms']),
        endMs: Number(item.meta.headers['x-segment-end-ms']),
      });
    } else if (item.meta.kind === 'events') {
      const sessionId = /^\/sessions\/([^/]+)\/events$/.exec(item.meta.path)![1]!;
      const batch = body() as { events: Event[] };
      events.push(...batch.events.map((event) => ({ ...event, sessionId })));
    }
  };
  return { sessions, recordings, segments, events, onAcked };
}

describe('simulated sessions obey the recording policy (real ingest, policy, NATS, PostgreSQL)', () => {
  const name = uniqueTestName('agent_policy');
  const env: Record<string, string> = {
    NATS_URL: testNatsUrl(),
    NATS_NAMESPACE: name,
    DATABASE_URL: testDatabaseUrl(),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    METRICS_ENABLED: 'false',
  };
  let nc: NatsConnection;
  let connection: MessagingConnection;
  let messaging: Messaging;
  let work: string;
  let ingestUrl: string;
  let token: string;
  const children: ServiceProcess[] = [];
  let policy: ServiceProcess | undefined;
  let runs = 0;
  /** Ends a simulation a failed or timed-out test would otherwise leave running. */
  let abort = new AbortController();

  async function spawnService(main: string, extra: Record<string, string>, port: number) {
    const started = await startServiceProcess(
      main,
      { ...env, ...extra },
      `http://127.0.0.1:${port}/health/ready`,
    );
    children.push(started);
    return started;
  }

  async function publish(document: unknown): Promise<number> {
    const reply = await messaging.request(
      'policy.put',
      { v: 1, document, actor: { id: 'test', name: 'policy-test' } },
      { timeoutMs: 5_000 },
    );
    if (!reply.ok) throw new Error(`policy refused: ${JSON.stringify(reply.errors)}`);
    return reply.version;
  }

  const simulate = (
    run: ReturnType<typeof collector>,
    options: {
      sessions: number;
      duration: number;
      speed: number;
      triggerAt?: number;
      kind?: 'desktop' | 'terminal' | 'mixed';
    },
  ) =>
    runSimulation(
      {
        ingest: ingestUrl,
        token,
        stateDir: path.join(work, 'agent'),
        // Each run its own spool: nothing one test left behind is sent or counted by the next.
        spoolDir: path.join(work, `spool-${++runs}`),
        sessions: options.sessions,
        durationSeconds: options.duration,
        kind: options.kind ?? 'mixed',
        segmentSeconds: 6,
        speed: options.speed,
        seed: 11,
        progressIntervalMs: 0,
        ...(options.triggerAt !== undefined ? { triggerAtSeconds: options.triggerAt } : {}),
      },
      { onAcked: run.onAcked, signal: abort.signal },
    );

  afterEach(() => {
    abort.abort();
    abort = new AbortController();
  });

  beforeAll(async () => {
    await createTestSchemas(name);
    nc = await connectTestNats();
    connection = new MessagingConnection(
      resolveOptions({ url: testNatsUrl(), namespace: name, serviceName: 'agent-policy-test' }),
    );
    messaging = new Messaging(connection);
    work = await mkdtemp(path.join(os.tmpdir(), 'agent-policy-'));
    const policyPort = await freePort();
    policy = await spawnService(
      MAINS.policy,
      { DATABASE_SCHEMA: `${name}_policy`, POLICY_PORT: String(policyPort) },
      policyPort,
    );
    const ingestPort = await freePort();
    ingestUrl = `http://127.0.0.1:${ingestPort}`;
    await spawnService(
      MAINS.ingest,
      {
        DATABASE_SCHEMA: `${name}_ingest`,
        INGEST_PORT: String(ingestPort),
        STORAGE_URL: `file://${path.join(work, 'store')}`,
        POLICY_FAILURE_MODE: 'record',
        // Generous: on a loaded CI machine a policy answer can take longer than a fraction
        // of a second, and a late answer would turn into the failure mode's decision. The
        // failure-mode test stops the policy service, which NATS answers at once (no
        // responders), so it does not wait for this.
        POLICY_EVALUATE_TIMEOUT_MS: '3000',
      },
      ingestPort,
    );
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [MAINS.cli, 'enrol-token', 'create', '--expires-in', '1h'],
      { env: { ...process.env, ...env, DATABASE_SCHEMA: `${name}_ingest` } },
    );
    token = stdout.split('\n')[0] ?? '';
    expect(token).toMatch(/^sre_/);
  });

  afterAll(async () => {
    for (const child of children) await child.stop();
    await connection.close();
    await deleteNamespaceStreams(nc, name);
    await nc.close();
    await dropTestSchemas(name);
    await rm(work, { recursive: true, force: true });
  });

  it('records nothing before a trigger, then uploads the pre-event minute first', async () => {
    const version = await publish({
      name: 'USB triggers recording',
      defaultAction: { action: 'do-not-record' },
      rules: [
        {
          id: 'usb',
          match: {},
          action: 'record-on-event',
          // Simulated desktops plug in USB sticks at random; only this device is a trigger.
          triggers: {
            events: [{ eventType: 'usb.insert', attributes: { device: 'Evidence*' } }],
            preEventMinutes: 1,
          },
        },
      ],
    });
    const run = collector();
    const summary = await simulate(run, { sessions: 2, duration: 180, speed: 60, triggerAt: 120 });
    expect(summary.errors).toBe(0);
    expect(run.sessions.size).toBe(2);
    expect(run.recordings).toHaveLength(2);
    for (const recording of run.recordings) {
      const startedAt = Date.parse(run.sessions.get(recording.sessionId)!);
      expect(recording).toMatchObject({
        reason: 'event',
        ruleId: 'usb',
        policyVersion: version,
        actor: 'event:usb.insert',
      });
      // The recording begins one minute before the event (120 s), at a segment boundary.
      expect(Date.parse(recording.at) - startedAt).toBe(60_000);
      const own = run.segments.filter((s) => s.recordingId === recording.recordingId);
      expect(Math.min(...own.map((s) => s.startMs))).toBeGreaterThanOrEqual(60_000);
      // The pre-event minute is there, and recording went on after the event.
      expect(own.filter((s) => s.endMs <= 120_000).length).toBeGreaterThan(0);
      expect(own.some((s) => s.startMs >= 120_000)).toBe(true);
    }
    const desktop = run.recordings.map((r) =>
      run.segments.filter((s) => s.recordingId === r.recordingId),
    );
    // Desktop segments are contiguous 6 s windows from 60 s: nothing of the minute is missing.
    expect(desktop.some((own) => own.filter((s) => s.endMs <= 120_000).length === 10)).toBe(true);
    const triggers = run.events.filter(
      (e) => e.type === 'usb.insert' && e.attributes.device === 'Evidence',
    );
    expect(triggers).toHaveLength(2);
    expect(triggers.every((e) => e.offsetMs === 120_000 && e.recordingId)).toBe(true);
  });

  it('starts recording running sessions when a policy change reaches the agent', async () => {
    await publish({ name: 'Nothing', defaultAction: { action: 'do-not-record' }, rules: [] });
    const run = collector();
    const simulation = simulate(run, { sessions: 2, duration: 300, speed: 30 });
    await waitFor(() => Promise.resolve(run.sessions.size === 2), 20_000, 'sessions started');
    expect(run.recordings).toHaveLength(0);
    // Give the control socket a moment to be up (it connects as the simulation starts).
    await new Promise((resolve) => setTimeout(resolve, 500));
    const version = await publish({
      name: 'Everyone',
      defaultAction: { action: 'do-not-record' },
      rules: [{ id: 'everyone', match: { users: ['*'] }, action: 'record' }],
    });
    const summary = await simulation;
    expect(summary.errors).toBe(0);
    expect(run.recordings).toHaveLength(2);
    for (const recording of run.recordings) {
      expect(recording).toMatchObject({
        reason: 'policy',
        ruleId: 'everyone',
        policyVersion: version,
      });
      const startedAt = Date.parse(run.sessions.get(recording.sessionId)!);
      // Started mid-session (not at 0), well before the session's end.
      expect(Date.parse(recording.at) - startedAt).toBeGreaterThan(0);
      expect(Date.parse(recording.at) - startedAt).toBeLessThan(300_000);
    }
  });

  it('starts recording when the focused application is one a rule names', async () => {
    const version = await publish({
      name: 'Mail is recorded',
      defaultAction: { action: 'do-not-record' },
      rules: [{ id: 'mail', match: { applications: ['thunder*'] }, action: 'record' }],
    });
    const run = collector();
    const summary = await simulate(run, { sessions: 4, duration: 120, speed: 60, kind: 'desktop' });
    expect(summary.errors).toBe(0);
    const firstMailFocus = new Map<string, number>();
    for (const e of run.events) {
      if (e.type !== 'app.focus' || e.attributes.app !== 'thunderbird') continue;
      if (!firstMailFocus.has(e.sessionId)) firstMailFocus.set(e.sessionId, e.offsetMs);
    }
    // Seeded, each session with a stream of its own: the same sessions read mail every run.
    expect(firstMailFocus.size).toBeGreaterThan(0);
    for (const recording of run.recordings) {
      expect(recording).toMatchObject({ reason: 'policy', ruleId: 'mail', policyVersion: version });
    }
    expect(run.recordings.map((r) => r.sessionId).sort()).toEqual(
      [...firstMailFocus.keys()].sort(),
    );
    for (const recording of run.recordings) {
      const startedAt = Date.parse(run.sessions.get(recording.sessionId)!);
      // From the moment mail got the focus, and on after focus moved elsewhere.
      expect(Date.parse(recording.at) - startedAt).toBe(firstMailFocus.get(recording.sessionId));
      const own = run.segments.filter((s) => s.recordingId === recording.recordingId);
      expect(Math.max(...own.map((s) => s.endMs))).toBeGreaterThan(110_000);
    }
  });

  it('reports only the events the detection policy asks for, without window titles', async () => {
    const reply = await messaging.request(
      'policy.detection.put',
      {
        v: 1,
        document: {
          name: 'Apps and USB only',
          defaults: {
            events: ['app.start', 'app.focus', 'usb.insert'],
            options: { captureWindowTitles: false },
          },
          rules: [],
        },
        actor: { id: 'test', name: 'policy-test' },
      },
      { timeoutMs: 5_000 },
    );
    expect(reply.ok).toBe(true);
    const run = collector();
    const summary = await simulate(run, { sessions: 2, duration: 60, speed: 60, kind: 'desktop' });
    expect(summary.errors).toBe(0);
    const types = new Set(run.events.map((e) => e.type));
    expect(types.has('app.focus')).toBe(true);
    expect([...types].filter((t) => !['app.start', 'app.focus', 'usb.insert'].includes(t))).toEqual(
      [],
    );
    expect(run.events.filter((e) => 'windowTitle' in e.attributes)).toEqual([]);
  });

  it("applies ingest's failure mode when the policy service does not answer", async () => {
    await policy?.stop();
    const run = collector();
    const summary = await simulate(run, { sessions: 1, duration: 12, speed: 20 });
    expect(summary.errors).toBe(0);
    expect(run.recordings).toEqual([
      expect.objectContaining({ reason: 'policy', ruleId: 'failure-mode', policyVersion: 0 }),
    ]);
    const started = await readStream(nc, name, 'SESSIONS');
    const announced = started
      .filter((m) => m.subject.endsWith('recording.started'))
      .map((m) => m.json<{ recordingId: string; ruleId?: string }>());
    expect(announced).toContainEqual(
      expect.objectContaining({
        recordingId: run.recordings[0]!.recordingId,
        ruleId: 'failure-mode',
      }),
    );
  });
});
