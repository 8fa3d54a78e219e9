import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DaemonLink, DaemonRefusedError } from '../shell/daemon-link';
import { LineReader } from './wire';

const SESSION = '6f1c1d0e-5a43-4c53-9d47-5f2f4f3a9b10';
const TOKEN = 't'.repeat(43);
const welcome = {
  t: 'welcome',
  sessionId: SESSION,
  resumeToken: TOKEN,
  user: 'alice',
  recording: { recordingId: null, inputCapture: false },
  idleSeconds: 300,
  segmentSeconds: 10,
  metricSeconds: 30,
};
const hello = {
  t: 'hello' as const,
  v: 1 as const,
  pid: 1,
  interactive: true,
  width: 80,
  height: 24,
};

/** A stand-in daemon on a real Unix socket: what it received per connection, and its sockets. */
async function fakeDaemon(answer: (line: Record<string, unknown>, socket: net.Socket) => void) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'local-link-'));
  const socketPath = path.join(dir, 'agent.sock');
  const lines: Record<string, unknown>[] = [];
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    const reader = new LineReader(
      (line) => {
        const message = JSON.parse(line) as Record<string, unknown>;
        lines.push(message);
        answer(message, socket);
      },
      () => socket.destroy(),
    );
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 500 && !check(); i += 1) await new Promise((r) => setTimeout(r, 10));
    expect(check()).toBe(true);
  };
  const stop = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  };
  return { socketPath, lines, sockets, until, stop };
}

describe('LocalLink (the wrapper and desktop links)', () => {
  it('hands on the lines the daemon sent together with the welcome', async () => {
    const daemon = await fakeDaemon((line, socket) => {
      if (line.t !== 'hello') return;
      // The welcome and a command in one write: the command must not be lost.
      socket.write(
        `${JSON.stringify(welcome)}\n${JSON.stringify({ t: 'command', commandId: 'c1', action: 'notice', message: 'hi' })}\n`,
      );
    });
    try {
      const link = await DaemonLink.open(daemon.socketPath, hello);
      const got: unknown[] = [];
      link.onMessage((message) => got.push(message));
      expect(link.welcome.sessionId).toBe(SESSION);
      expect(got).toEqual([{ t: 'command', commandId: 'c1', action: 'notice', message: 'hi' }]);
      await link.close(1000);
    } finally {
      await daemon.stop();
    }
  });

  it('refuses with the daemon’s reason', async () => {
    const daemon = await fakeDaemon((line, socket) => {
      if (line.t === 'hello')
        socket.write(`${JSON.stringify({ t: 'refused', message: 'spool full' })}\n`);
    });
    try {
      await expect(DaemonLink.open(daemon.socketPath, hello)).rejects.toThrow(DaemonRefusedError);
      await expect(DaemonLink.open(daemon.socketPath, hello)).rejects.toThrow('spool full');
    } finally {
      await daemon.stop();
    }
  });

  it('keeps what is sent while the daemon is away, resumes with the secret and sends it in order', async () => {
    const daemon = await fakeDaemon((line, socket) => {
      if (line.t === 'hello') socket.write(`${JSON.stringify(welcome)}\n`);
      if (line.t === 'resume') {
        socket.write(
          `${JSON.stringify({ t: 'resumed', recording: { recordingId: null, inputCapture: false } })}\n`,
        );
      }
    });
    try {
      const link = await DaemonLink.open(daemon.socketPath, hello);
      const got: { t: string }[] = [];
      link.onMessage((message) => got.push(message));
      link.send({ t: 'end', offsetMs: 1, reason: 'one' });
      await daemon.until(() => daemon.lines.length === 2);
      // The daemon restarts: its end of the connection goes.
      daemon.sockets[0]!.destroy();
      await daemon.until(() => !link.connected);
      link.send({ t: 'end', offsetMs: 2, reason: 'two' });
      link.send({ t: 'end', offsetMs: 3, reason: 'three' });
      await daemon.until(() => daemon.lines.length === 5);
      expect(daemon.lines.map((line) => line.t)).toEqual(['hello', 'end', 'resume', 'end', 'end']);
      expect(daemon.lines[2]).toMatchObject({ sessionId: SESSION, token: TOKEN });
      expect(daemon.lines.slice(3).map((line) => line.reason)).toEqual(['two', 'three']);
      expect(got.map((message) => message.t)).toEqual(['resumed']);
      await link.close(1000);
    } finally {
      await daemon.stop();
    }
  });
});
