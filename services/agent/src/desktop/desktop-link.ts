/**
 * The desktop session's connection to the daemon (its desktop socket). Like the terminal
 * wrapper's link: hello, then the welcome or a refusal; if the daemon goes away (restart,
 * upgrade) what the session produces is kept in memory (bounded), the link reconnects
 * every second, resumes with the secret from the welcome and sends what it kept, in order.
 */
import net from 'node:net';
import {
  type DesktopDaemonMessage,
  type DesktopMessage,
  MAX_DESKTOP_LINE_BYTES,
  desktopDaemonMessage,
} from '../daemon/desktop-wire';
import { LineReader, decode } from '../daemon/wire';

export type DesktopWelcome = Extract<DesktopDaemonMessage, { t: 'welcome' }>;

export class DesktopRefusedError extends Error {
  override readonly name = 'DesktopRefusedError';
}
export class DesktopDaemonUnavailableError extends Error {
  override readonly name = 'DesktopDaemonUnavailableError';
}

/** What is kept while the daemon is away; past it, segments are dropped (and counted). */
const MAX_KEPT_BYTES = 256 * 1024 * 1024;

function connect(socketPath: string, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new DesktopDaemonUnavailableError(`no answer from ${socketPath}`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(
        new DesktopDaemonUnavailableError(
          `cannot reach the agent at ${socketPath}: ${error.message}`,
        ),
      );
    });
  });
}

/** Sends one message and waits for the first answer; later lines are returned too. */
function exchange(socket: net.Socket, message: DesktopMessage, timeoutMs: number) {
  return new Promise<{ first: DesktopDaemonMessage; rest: DesktopDaemonMessage[] }>(
    (resolve, reject) => {
      const rest: DesktopDaemonMessage[] = [];
      let first: DesktopDaemonMessage | undefined;
      const timer = setTimeout(
        () => reject(new DesktopDaemonUnavailableError('the agent did not answer in time')),
        timeoutMs,
      );
      const reader = new LineReader(
        (line) => {
          const decoded = decode(desktopDaemonMessage, line);
          if (!decoded.ok) return;
          if (first) rest.push(decoded.value);
          else {
            first = decoded.value;
            clearTimeout(timer);
            // Lines already read with the answer must not be lost.
            setImmediate(() => resolve({ first: first!, rest }));
          }
        },
        () => reject(new DesktopDaemonUnavailableError('the agent sent an oversized line')),
      );
      socket.on('data', (chunk: Buffer) => reader.push(chunk));
      socket.once('close', () => {
        clearTimeout(timer);
        reject(new DesktopDaemonUnavailableError('the agent closed the connection'));
      });
      socket.write(`${JSON.stringify(message)}\n`);
    },
  );
}

export class DesktopLink {
  private socket: net.Socket | undefined;
  private kept: string[] = [];
  private keptBytes = 0;
  private closing = false;
  private handler: (message: DesktopDaemonMessage) => void = () => undefined;
  private early: DesktopDaemonMessage[] = [];
  private reconnectTimer: NodeJS.Timeout | undefined;
  dropped = 0;

  private constructor(
    private readonly socketPath: string,
    readonly welcome: DesktopWelcome,
  ) {}

  static async open(
    socketPath: string,
    hello: Extract<DesktopMessage, { t: 'hello' }>,
    timeoutMs = 30_000,
  ): Promise<DesktopLink> {
    const socket = await connect(socketPath, timeoutMs);
    const { first, rest } = await exchange(socket, hello, timeoutMs);
    if (first.t === 'refused') {
      socket.destroy();
      throw new DesktopRefusedError(first.message);
    }
    if (first.t !== 'welcome') {
      socket.destroy();
      throw new DesktopDaemonUnavailableError(`the agent answered ${first.t} to hello`);
    }
    const link = new DesktopLink(socketPath, first);
    link.early = rest;
    link.attach(socket);
    return link;
  }

  /** Sets the handler; messages that came with the welcome are handed to it first. */
  onMessage(handler: (message: DesktopDaemonMessage) => void): void {
    this.handler = handler;
    for (const message of this.early.splice(0)) handler(message);
  }

  get connected(): boolean {
    return this.socket !== undefined;
  }

  send(message: DesktopMessage): void {
    const line = `${JSON.stringify(message)}\n`;
    if (this.socket) {
      this.socket.write(line);
      return;
    }
    if (this.keptBytes + line.length > MAX_KEPT_BYTES) {
      this.dropped += 1;
      return;
    }
    this.kept.push(line);
    this.keptBytes += line.length;
  }

  /** Waits (bounded) until everything is written to the daemon, then closes. */
  async close(timeoutMs = 20_000): Promise<void> {
    this.closing = true;
    const deadline = Date.now() + timeoutMs;
    while (!this.socket && this.kept.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const socket = this.socket;
    if (!socket) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(
        () => {
          socket.destroy();
          resolve();
        },
        Math.max(0, deadline - Date.now()),
      );
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end();
    });
  }

  private attach(socket: net.Socket): void {
    this.socket = socket;
    const reader = new LineReader(
      (line) => {
        const decoded = decode(desktopDaemonMessage, line);
        if (decoded.ok) this.handler(decoded.value);
      },
      () => socket.destroy(),
      MAX_DESKTOP_LINE_BYTES,
    );
    socket.removeAllListeners('data');
    socket.removeAllListeners('close');
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    socket.on('error', () => undefined);
    socket.once('close', () => {
      if (this.socket === socket) this.socket = undefined;
      if (!this.closing) this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    this.reconnectTimer = setTimeout(() => void this.reconnect(), 1000);
  }

  private async reconnect(): Promise<void> {
    if (this.closing && this.kept.length === 0) return;
    try {
      const socket = await connect(this.socketPath, 5000);
      const { first, rest } = await exchange(
        socket,
        {
          t: 'resume',
          v: 1,
          pid: process.pid,
          sessionId: this.welcome.sessionId,
          token: this.welcome.resumeToken,
        },
        15_000,
      );
      if (first.t !== 'resumed') {
        socket.destroy();
        this.kept = [];
        this.keptBytes = 0;
        this.closing = true; // the daemon no longer knows this session
        return;
      }
      this.attach(socket);
      this.handler(first);
      for (const message of rest) this.handler(message);
      const kept = this.kept;
      this.kept = [];
      this.keptBytes = 0;
      for (const line of kept) socket.write(line);
    } catch {
      this.scheduleReconnect();
    }
  }
}
