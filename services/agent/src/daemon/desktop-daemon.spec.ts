import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { PolicyDetectionEvaluateReply, PolicyEvaluateReply } from '@sessionrec/contracts';
import type { PolicyQuestion } from '../policy/policy-client';
import { parseConfig } from './config';
import { DesktopDaemonSession, type DesktopDaemonContext } from './desktop-session';
import type { DesktopDaemonMessage } from './desktop-wire';
import { SessionStateStore } from './session-state';

/** A daemon-side desktop session on a real Unix socket, with policy and spool stand-ins. */
async function harness(decide: (q: PolicyQuestion) => PolicyEvaluateReply) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'desktop-daemon-'));
  const socketPath = path.join(dir, 'd.sock');
  const submitted: { kind: string; path: string; body: Record<string, unknown> | null }[] = [];
  const questions: PolicyQuestion[] = [];
  let detection: PolicyDetectionEvaluateReply = {
    v: 1,
    policyVersion: 1,
    ruleId: 'default',
    events: ['app.start', 'usb.insert'],
    options: {
      removableMountPoints: ['/srv/usb/*'],
      networkMountPoints: [],
      idleThresholdSeconds: 120,
      captureCommandLines: false,
      captureWindowTitles: true,
    },
  };
  const ctx: DesktopDaemonContext = {
    config: parseConfig(
      JSON.stringify({ ingest: 'http://127.0.0.1:1', desktop: { removableMounts: ['/media/*'] } }),
      'test',
    ),
    hostname: 'desk-1',
    submit: (meta, body) => {
      submitted.push({
        kind: meta.kind,
        path: meta.path,
        body: meta.json
          ? (JSON.parse(Buffer.from(body).toString()) as Record<string, unknown>)
          : null,
      });
      return Promise.resolve();
    },
    spoolHasRoom: () => true,
    policy: {
      evaluate: (q) => {
        questions.push(q);
        return Promise.resolve({ reply: decide(q) });
      },
      detection: () => Promise.resolve(detection),
    },
    states: new SessionStateStore(path.join(dir, 'sessions')),
    peerOf: () => Promise.resolve({ pid: 1, uid: 1000, user: 'alice', groups: ['staff'] }),
    log: () => undefined,
    // The kernel's socket tables, as display-disconnect.ts reads them: one RDP client of :5.
    displayConnections: {
      identify: (query) =>
        Promise.resolve(
          query.displayNumber === 5 && query.uid === 1000
            ? {
                ok: true as const,
                xServer: 500,
                connections: [
                  {
                    endpoints: {
                      serverIp: '10.0.0.2',
                      serverPort: 3389,
                      clientIp: '192.168.1.20',
                      clientPort: 50000,
                    },
                    pids: [300],
                  },
                ],
              }
            : { ok: false as const, reason: 'no X server' },
        ),
      destroy: () => Promise.resolve(true),
      tcpInfo: () =>
        Promise.resolve({
          rttMs: 12.5,
          rttVarMs: 3,
          retransmits: 0,
          bytesAcked: 1000,
          bytesReceived: 500,
        }),
    },
  };
  const sessions: DesktopDaemonSession[] = [];
  const server = net.createServer((socket) => {
    sessions.push(
      new DesktopDaemonSession(
        socket,
        ctx,
        () => undefined,
        () => undefined,
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  const received: DesktopDaemonMessage[] = [];
  const client = net.connect(socketPath);
  let buffer = '';
  client.on('data', (d: Buffer) => {
    buffer += d.toString();
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      received.push(JSON.parse(buffer.slice(0, newline)) as DesktopDaemonMessage);
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
    }
  });
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
  await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  const send = (message: unknown) => client.write(`${JSON.stringify(message)}\n`);
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i += 1) await new Promise((r) => setTimeout(r, 10));
    expect(check()).toBe(true);
  };
  // Display :6 has no remote connection; :5 has one (displayConnections above).
  const hello = () => send({ t: 'hello', v: 1, pid: 1, display: ':6', width: 1280, height: 720 });
  const stop = async () => {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // The session ends (desktop-lost) and removes its state file as the client goes.
    await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  };
  const setDetection = (next: PolicyDetectionEvaluateReply) => (detection = next);
  return {
    send,
    hello,
    received,
    submitted,
    questions,
    until,
    closed,
    stop,
    sessions,
    setDetection,
  };
}

const reply = (
  decision: PolicyEvaluateReply['decision'],
  extra: Partial<PolicyEvaluateReply> = {},
) => ({ v: 1, decision, ruleId: 'r', policyVersion: 2, ...extra }) as PolicyEvaluateReply;

describe('DesktopDaemonSession', () => {
  it('starts a desktop session, tells it the mounts of config and detection policy, and refuses a media segment before the init', async () => {
    const h = await harness(() =>
      reply('record', {
        capture: {
          frameRate: 4,
          quality: 'high',
          inputCapture: false,
          excludedApplications: ['keepass*'],
        },
      }),
    );
    try {
      h.hello();
      await h.until(() => h.received.some((m) => m.t === 'welcome'));
      const welcome = h.received.find((m) => m.t === 'welcome')!;
      expect(welcome).toMatchObject({
        user: 'alice',
        idleSeconds: 120,
        storage: { removable: ['/media/*', '/srv/usb/*'], network: [] },
        recording: {
          capture: { frameRate: 4, quality: 'high', excludedApplications: ['keepass*'] },
          preEvent: null,
        },
      });
      expect(h.submitted.map((s) => s.kind)).toEqual(['session-start', 'recording-start']);
      expect(h.submitted[0]!.body).toMatchObject({ protocol: 'desktop', user: 'alice' });
      expect(h.submitted[1]!.body).toMatchObject({ kind: 'screen', reason: 'policy' });
      const recordingId = (welcome as { recording: { recordingId: string } }).recording.recordingId;
      h.send({ t: 'segment', recordingId, kind: 'media', startMs: 0, endMs: 1, data: 'AAAA' });
      await h.closed;
      expect(h.submitted.some((s) => s.kind === 'segment')).toBe(false);
    } finally {
      await h.stop();
    }
  });

  it('asks policy about a focused or opened application and records when a rule names it', async () => {
    const h = await harness((q) =>
      q.application === 'keepassxc' ? reply('record') : reply('do-not-record'),
    );
    try {
      h.hello();
      await h.until(() => h.received.some((m) => m.t === 'welcome'));
      h.send({ t: 'focus', offsetMs: 10, app: 'xterm' });
      h.send({ t: 'opened', offsetMs: 20, app: 'keepassxc' });
      await h.until(() => h.received.some((m) => m.t === 'recording'));
      expect(h.questions.map((q) => q.application)).toEqual([undefined, 'xterm', 'keepassxc']);
      expect(h.questions.every((q) => q.protocol === 'desktop')).toBe(true);
      expect(h.submitted.filter((s) => s.kind === 'recording-start')).toHaveLength(1);
    } finally {
      await h.stop();
    }
  });

  it('reports only what detection asks for, and starts recording when an event fires the trigger', async () => {
    const h = await harness(() =>
      reply('record-on-event', {
        triggers: { events: [{ eventType: 'usb.insert' }], preEventMinutes: 1 },
      }),
    );
    try {
      h.hello();
      await h.until(() => h.received.some((m) => m.t === 'welcome'));
      const welcome = h.received.find((m) => m.t === 'welcome') as Extract<
        DesktopDaemonMessage,
        { t: 'welcome' }
      >;
      expect(welcome.recording).toMatchObject({ recordingId: null, preEvent: { ms: 60_000 } });
      h.send({
        t: 'events',
        events: [
          { type: 'clipboard.use', offsetMs: 5, attributes: {} },
          { type: 'app.start', offsetMs: 6, attributes: { app: 'x', commandLine: 'x --secret' } },
        ],
      });
      h.send({ t: 'events', events: [{ type: 'usb.insert', offsetMs: 90_000, attributes: {} }] });
      await h.until(() => h.submitted.some((s) => s.kind === 'recording-start'));
      const events = h.submitted.filter((s) => s.kind === 'events').map((s) => s.body!.events);
      expect(events).toEqual([
        [expect.objectContaining({ type: 'app.start', attributes: { app: 'x' } })],
        [expect.objectContaining({ type: 'usb.insert' })],
      ]);
      expect(h.submitted.find((s) => s.kind === 'recording-start')!.body).toMatchObject({
        reason: 'event',
        actor: 'event:usb.insert',
      });
    } finally {
      await h.stop();
    }
  });

  it('tells a running session the new idle threshold and mounts on a policy change, and reports events as the new detection policy says', async () => {
    const h = await harness(() => reply('do-not-record'));
    try {
      h.hello();
      await h.until(() => h.received.some((m) => m.t === 'welcome'));
      h.setDetection({
        v: 1,
        policyVersion: 2,
        ruleId: 'default',
        events: ['app.start', 'clipboard.use'],
        options: {
          removableMountPoints: ['/mnt/stick*'],
          networkMountPoints: ['/srv/share'],
          idleThresholdSeconds: 30,
          captureCommandLines: true,
          captureWindowTitles: false,
        },
      });
      const changed = h.sessions[0]!.policyChanged();
      // The session is told what to record and answers that it has switched.
      await h.until(() => h.received.some((m) => m.t === 'recording'));
      const told = h.received.find((m) => m.t === 'recording') as { ref: number };
      h.send({ t: 'switched', ref: told.ref });
      await changed;
      expect(h.received.filter((m) => m.t === 'detection')).toEqual([
        {
          t: 'detection',
          idleSeconds: 30,
          storage: { removable: ['/media/*', '/mnt/stick*'], network: ['/srv/share'] },
        },
      ]);
      h.send({
        t: 'events',
        events: [
          { type: 'clipboard.use', offsetMs: 5, attributes: {} },
          { type: 'usb.insert', offsetMs: 6, attributes: { device: 'sdb' } },
          {
            type: 'app.start',
            offsetMs: 7,
            attributes: { app: 'x', commandLine: 'x --y', windowTitle: 'secret' },
          },
        ],
      });
      await h.until(() => h.submitted.some((s) => s.kind === 'events'));
      expect(h.submitted.find((s) => s.kind === 'events')!.body!.events).toEqual([
        expect.objectContaining({ type: 'clipboard.use' }),
        expect.objectContaining({
          type: 'app.start',
          attributes: { app: 'x', commandLine: 'x --y' },
        }),
      ]);
    } finally {
      await h.stop();
    }
  });

  it("takes a local display's client address and network quality from the kernel, not from the session", async () => {
    const h = await harness(() => reply('do-not-record'));
    try {
      h.send({
        t: 'hello',
        v: 1,
        pid: 1,
        display: ':5',
        width: 1280,
        height: 720,
        clientAddress: '10.9.9.9',
      });
      await h.until(() => h.received.some((m) => m.t === 'welcome'));
      expect(h.received.find((m) => m.t === 'welcome')).toMatchObject({ metricsByDaemon: true });
      expect(h.submitted[0]!.body).toMatchObject({ clientAddress: '192.168.1.20' });
      await h.until(() => h.submitted.some((s) => s.kind === 'metrics'));
      expect(h.submitted.find((s) => s.kind === 'metrics')!.body).toMatchObject({
        samples: [{ rttMs: 12.5, jitterMs: 3, retransmits: 0, throughputBps: 0 }],
      });
      // Disconnect is the daemon's: the connection it found is closed, the session not asked.
      const outcome = await h.sessions[0]!.wrapperCommand('c-1', 'disconnect');
      expect(outcome).toEqual({
        status: 'acked',
        detail: 'remote-display connection dropped: 192.168.1.20:50000 -> 10.0.0.2:3389 (pid 300)',
      });
      expect(h.received.filter((m) => m.t === 'command')).toEqual([
        expect.objectContaining({ action: 'notice' }),
      ]);
    } finally {
      await h.stop();
    }
  });

  it('refuses to resume a session it does not know', async () => {
    const h = await harness(() => reply('do-not-record'));
    try {
      h.send({
        t: 'resume',
        v: 1,
        pid: 1,
        sessionId: '6f1c1d0e-5a43-4c53-9d47-5f2f4f3a9b10',
        token: 'x'.repeat(43),
      });
      await h.until(() => h.received.some((m) => m.t === 'refused'));
      expect(h.submitted).toEqual([]);
    } finally {
      await h.stop();
    }
  });
});
