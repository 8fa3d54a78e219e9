/**
 * A session process's connection to the daemon on a local socket: the terminal wrapper's
 * (`shell/daemon-link.ts`) and the desktop session's (`desktop/desktop-link.ts`) are this
 * one class with their own protocol. It says hello and waits for the welcome (or a
 * refusal); lines the daemon sent with the welcome are handed on, not lost. Later, if the
 * daemon goes away (restart, upgrade), it keeps what the session produces in memory
 * (bounded), reconnects every second and resumes the session with the secret from the
 * welcome, then sends what it kept, in order.
 */
import net from 'node:net';
import type { z } from 'zod';
import { LineReader, decode } from './wire';

export class DaemonRefusedError extends Error {
  override readonly name: string = 'DaemonRefusedError';
}
export class DaemonUnavailableError extends Error {
  override readonly name: string = 'DaemonUnavailableError';
}

interface DaemonLine {
  readonly t: string;
}
interface WelcomeLine extends DaemonLine {
  readonly t: 'welcome';
  readonly sessionId: string;
  readonly resumeToken: string;
}
interface RefusedLine extends DaemonLine {
  readonly t: 'refused';
  readonly message: string;
}

/** What differs between the terminal and the desktop protocol. */
export interface LinkProtocol<In extends DaemonLine> {
  /** Every line from the daemon is validated against this. */
  readonly incoming: z.ZodType<In>;
  /** Longest line accepted from the daemon (LineReader's default when absent). */
  readonly maxLineBytes?: number;
  /** What is kept while the daemon is away; past it, messages are dropped (and counted). */
  readonly maxKeptBytes: number;
  readonly resumeTimeoutMs: number;
  readonly closeTimeoutMs: number;
  readonly refused: new (message: string) => Error;
  readonly unavailable: new (message: string) => Error;
}

function connect(
  socketPath: string,
  timeoutMs: number,
  unavailable: new (message: string) => Error,
): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new unavailable(`no answer from ${socketPath}`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new unavailable(`cannot reach the agent at ${socketPath}: ${error.message}`));
    });
  });
}

/** Sends one message and waits for the first answer; later lines are returned too. */
function exchange<In extends DaemonLine>(
  protocol: LinkProtocol<In>,
  socket: net.Socket,
  message: unknown,
  timeoutMs: number,
) {
  return new Promise<{ first: In; rest: In[] }>((resolve, reject) => {
    const rest: In[] = [];
    let first: In | undefined;
    const timer = setTimeout(
      () => reject(new protocol.unavailable('the agent did not answer in time')),
      timeoutMs,
    );
    const reader = new LineReader(
      (line) => {
        const decoded = decode(protocol.incoming, line);
        if (!decoded.ok) return;
        if (first) rest.push(decoded.value);
        else {
          first = decoded.value;
          clearTimeout(timer);
          // Lines that came in the same read as the answer must not be lost.
          setImmediate(() => resolve({ first: first!, rest }));
        }
      },
      () => reject(new protocol.unavailable('the agent sent an oversized line')),
      protocol.maxLineBytes,
    );
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    socket.once('close', () => {
      clearTimeout(timer);
      reject(new protocol.unavailable('the agent closed the connection'));
    });
    socket.write(`${JSON.stringify(message)}\n`);
  });
}

export class LocalLink<Out, In extends DaemonLine, Welcome extends In & WelcomeLine> {
  private socket: net.Socket | undefined;
  private kept: string[] = [];
  private keptBytes = 0;
  private closing = false;
  private handler: (message: In) => void = () => undefined;
  private early: In[] = [];
  private reconnectTimer: NodeJS.Timeout | undefined;
  dropped = 0;

  private constructor(
    private readonly protocol: LinkProtocol<In>,
    private readonly socketPath: string,
    readonly welcome: Welcome,
  ) {}

  static async open<Out, In extends DaemonLine, Welcome extends In & WelcomeLine>(
    protocol: LinkProtocol<In>,
    socketPath: string,
    hello: Out,
    timeoutMs: number,
  ): Promise<LocalLink<Out, In, Welcome>> {
    const socket = await connect(socketPath, timeoutMs, protocol.unavailable);
    const { first, rest } = await exchange(protocol, socket, hello, timeoutMs);
    if (first.t === 'refused') {
      socket.destroy();
      throw new protocol.refused((first as unknown as RefusedLine).message);
    }
    if (first.t !== 'welcome') {
      socket.destroy();
      throw new protocol.unavailable(`the agent answered ${first.t} to hello`);
    }
    const link = new LocalLink<Out, In, Welcome>(protocol, socketPath, first as unknown as Welcome);
    link.early = rest;
    link.attach(socket);
    return link;
  }

  /** Sets the handler; messages that came with the welcome are handed to it first. */
  onMessage(handler: (message: In) => void): void {
    this.handler = handler;
    for (const message of this.early.splice(0)) handler(message);
  }

  get connected(): boolean {
    return this.socket !== undefined;
  }

  send(message: Out): void {
    const line = `${JSON.stringify(message)}\n`;
    if (this.socket) {
      this.socket.write(line);
      return;
    }
    if (this.keptBytes + line.length > this.protocol.maxKeptBytes) {
      this.dropped += 1;
      return;
    }
    this.kept.push(line);
    this.keptBytes += line.length;
  }

  /** Waits (bounded) until everything is written to the daemon, then closes. */
  async close(timeoutMs = this.protocol.closeTimeoutMs): Promise<void> {
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
      // The daemon closes once it has handled `end`; our end() flushes what is written.
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
        const decoded = decode(this.protocol.incoming, line);
        if (decoded.ok) this.handler(decoded.value);
      },
      () => socket.destroy(),
      this.protocol.maxLineBytes,
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
      const socket = await connect(this.socketPath, 5000, this.protocol.unavailable);
      const { first, rest } = await exchange(
        this.protocol,
        socket,
        {
          t: 'resume',
          v: 1,
          pid: process.pid,
          sessionId: this.welcome.sessionId,
          token: this.welcome.resumeToken,
        },
        this.protocol.resumeTimeoutMs,
      );
      if (first.t !== 'resumed') {
        socket.destroy();
        this.kept = [];
        this.keptBytes = 0;
        this.closing = true; // the daemon no longer knows this session: nothing more to send
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
