/**
 * One DaemonSession over a real Unix socket, with the platform replaced by recorders:
 * which root process the daemon accepts, how the kernel's execs become events, and how
 * an armed record-on-event session turns its pre-event buffer into a recording.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { PolicyEvaluateReply } from '@sessionrec/contracts';
import type { ExecSeen } from '../detect/exec-tracer';
import { parseAsciicast } from '../media/asciicast';
import { parseConfig } from './config';
import { type DaemonContext, DaemonSession } from './daemon-session';
import { SessionStateStore } from './session-state';
import type { DaemonMessage } from './wire';

const WRAPPER = 4242;
const SHELL = 4243;

interface Submitted {
  kind: string;
  path: string;
  body: string;
}

async function harness(decision: Partial<PolicyEvaluateReply>, shellParent = WRAPPER) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'daemon-session-'));
  const submitted: Submitted[] = [];
  const logs: string[] = [];
  let onExec: ((exec: ExecSeen) => void) | undefined;
  const ctx: DaemonContext = {
    config: parseConfig(`ingest: http://127.0.0.1:9\nstateDir: ${dir}`, 'test'),
    hostname: 'host-1',
    submit: (meta, body) => {
      submitted.push({ kind: meta.kind, path: meta.path, body: Buffer.from(body).toString() });
      return Promise.resolve();
    },
    spoolHasRoom: () => true,
    policy: {
      evaluate: () =>
        Promise.resolve({
          reply: { v: 1, decision: 'record', ruleId: 'r', policyVersion: 1, ...decision },
        }),
    },
    states: new SessionStateStore(path.join(dir, 'sessions')),
    peerOf: () => Promise.resolve({ pid: WRAPPER, uid: 1000, user: 'alice', groups: [] }),
    log: (line) => logs.push(line),
    execTracer: {
      active: true,
      parentOf: (pid) => (pid === SHELL ? shellParent : undefined),
      watch: (root, includeRoot, handler) => {
        expect([root, includeRoot]).toEqual([SHELL, true]);
        onExec = handler;
        return () => (onExec = undefined);
      },
    },
  };
  const socketPath = path.join(dir, 's.sock');
  const sessions: DaemonSession[] = [];
  const server = net.createServer((socket) => {
    sessions.push(
      new DaemonSession(
        socket,
        ctx,
        () => undefined,
        () => undefined,
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  const received: DaemonMessage[] = [];
  let client: net.Socket;
  /** A wrapper connection (a new one replaces the last, as a wrapper reconnecting does). */
  const connect = () => {
    client = net.connect(socketPath);
    let buffered = '';
    client.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        received.push(JSON.parse(buffered.slice(0, newline)) as DaemonMessage);
        buffered = buffered.slice(newline + 1);
      }
    });
  };
  connect();
  const send = (message: unknown) => client.write(`${JSON.stringify(message)}\n`);
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i += 1)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(check()).toBe(true);
  };
  send({ t: 'hello', v: 1, pid: WRAPPER, interactive: true, width: 80, height: 24 });
  await until(() => received.some((m) => m.t === 'welcome'));
  const welcome = received.find((m) => m.t === 'welcome') as Extract<
    DaemonMessage,
    { t: 'welcome' }
  >;
  return {
    welcome,
    submitted,
    logs,
    send,
    until,
    exec: (exec: Omit<ExecSeen, 'at'>) => onExec?.({ ...exec, at: Date.now() }),
    get watching() {
      return onExec !== undefined;
    },
    received,
    /** The daemon restarts: its session detaches, the wrapper reconnects and resumes. */
    restart: async (welcome: Extract<DaemonMessage, { t: 'welcome' }>) => {
      await Promise.all(sessions.splice(0).map((session) => session.detach()));
      onExec = undefined;
      connect();
      send({
        t: 'resume',
        v: 1,
        pid: WRAPPER,
        sessionId: welcome.sessionId,
        token: welcome.resumeToken,
      });
      await until(() => received.some((m) => m.t === 'resumed'));
      return received.find((m) => m.t === 'resumed') as Extract<DaemonMessage, { t: 'resumed' }>;
    },
    close: async () => {
      client.destroy();
      server.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const segment = (recordingId: string, startMs: number, endMs: number, lines: string[]) => ({
  t: 'segment',
  recordingId,
  startMs,
  endMs,
  data: Buffer.from(`${lines.join('\n')}\n`).toString('base64'),
});
const HEADER = JSON.stringify({ version: 2, width: 80, height: 24, timestamp: 1, env: {} });

describe('a terminal session in the daemon', () => {
  it("reports the kernel's execs below the shell the wrapper names, as events", async () => {
    const h = await harness({});
    try {
      expect(h.welcome.execTracing).toBe(true);
      h.send({ t: 'root', pid: SHELL });
      await h.until(() => h.watching);
      h.exec({ pid: 5000, ppid: SHELL, argv: ['/bin/true', '1'] });
      h.exec({ pid: 5001, ppid: SHELL, argv: ['sudo', 'id'] });
      await h.until(() => h.submitted.some((s) => s.kind === 'events'));
      const events = h.submitted
        .filter((s) => s.kind === 'events')
        .flatMap((s) => (JSON.parse(s.body) as { events: { type: string }[] }).events);
      expect(events.map((e) => e.type)).toEqual([
        'command.start',
        'command.start',
        'privilege.use',
      ]);
    } finally {
      await h.close();
    }
  });

  it('refuses a root process that is not the wrapper child', async () => {
    const h = await harness({}, 1);
    try {
      h.send({ t: 'root', pid: SHELL });
      await h.until(() => h.logs.some((l) => /not the wrapper's child/.test(l)));
      expect(h.watching).toBe(false);
    } finally {
      await h.close();
    }
  });

  it('record-on-event: drops buffered segments past the minutes, then records from the oldest kept one on its own clock', async () => {
    const h = await harness({
      decision: 'record-on-event',
      triggers: { events: [{ eventType: 'command.start' }], preEventMinutes: 1 },
    });
    try {
      const armed = h.welcome.recording.recordingId!;
      expect(armed).toEqual(expect.any(String));
      h.send({ t: 'root', pid: SHELL });
      // 100 s of casting: the first segment (with the header) falls out of the minute.
      h.send(segment(armed, 0, 10_000, [HEADER, '[0.5,"o","old"]', '[1,"r","100x30"]']));
      for (let start = 10_000; start < 100_000; start += 10_000)
        h.send(segment(armed, start, start + 10_000, [`[${start / 1000 + 1},"o","s${start}"]`]));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(h.submitted.filter((s) => s.kind !== 'session-start')).toEqual([]);
      h.exec({ pid: 5000, ppid: SHELL, argv: ['vi', '/etc/shadow'] });
      await h.until(() => h.submitted.filter((s) => s.kind === 'segment').length === 6);
      const start = h.submitted.find((s) => s.kind === 'recording-start')!;
      expect(JSON.parse(start.body)).toMatchObject({
        recordingId: armed,
        reason: 'event',
        actor: 'event:command.start',
      });
      const cast = h.submitted
        .filter((s) => s.kind === 'segment')
        .map((s) => s.body)
        .join('');
      // Kept: the segments from 40 s on; the header has the size of that moment.
      const { header, lines } = parseAsciicast(cast);
      expect(header).toMatchObject({ version: 2, width: 100, height: 30 });
      expect(lines[0]).toEqual([1, 'o', 's40000']);
      expect(cast).not.toContain('old');
      // Live segments go on, on the same clock.
      h.send(segment(armed, 100_000, 110_000, ['[101,"o","live"]']));
      await h.until(() => h.submitted.filter((s) => s.kind === 'segment').length === 7);
      expect(h.submitted.filter((s) => s.kind === 'segment').pop()!.body).toBe('[61,"o","live"]\n');
    } finally {
      await h.close();
    }
  });

  it('record-on-event: a session armed before a daemon restart is armed again and still fires', async () => {
    const h = await harness({
      decision: 'record-on-event',
      triggers: { events: [{ eventType: 'command.start' }], preEventMinutes: 5 },
    });
    try {
      const before = h.welcome.recording.recordingId!;
      h.send({ t: 'root', pid: SHELL });
      await h.until(() => h.watching);
      const resumed = await h.restart(h.welcome);
      // A fresh buffer under a new id: what was buffered before was in memory only.
      const armed = resumed.recording.recordingId!;
      expect(armed).toEqual(expect.any(String));
      expect(armed).not.toBe(before);
      await h.until(() => h.watching);
      h.send(segment(armed, 5_000, 10_000, [HEADER, '[0.5,"o","after restart"]']));
      await new Promise((resolve) => setTimeout(resolve, 50));
      h.exec({ pid: 5000, ppid: SHELL, argv: ['vi'] });
      await h.until(() => h.submitted.some((s) => s.kind === 'segment'));
      expect(JSON.parse(h.submitted.find((s) => s.kind === 'recording-start')!.body)).toMatchObject(
        { recordingId: armed, reason: 'event' },
      );
      expect(h.submitted.find((s) => s.kind === 'segment')!.body).toContain('after restart');
    } finally {
      await h.close();
    }
  });
});
