/**
 * The wrapper's connection to the daemon. It says hello and waits for the welcome (or a
 * refusal); later, if the daemon goes away (restart, upgrade), it keeps what the session
 * produces in memory (bounded), reconnects every second and resumes the session with the
 * secret from the welcome, then sends what it kept, in order.
 */
import net from 'node:net';
import {
  type DaemonMessage,
  LineReader,
  type WrapperMessage,
  daemonMessage,
  decode,
} from '../daemon/wire';

export type Welcome = Extract<DaemonMessage, { t: 'welcome' }>;

export class DaemonRefusedError extends Error {
  override readonly name = 'DaemonRefusedError';
}
export class DaemonUnavailableError extends Error {
  override readonly name = 'DaemonUnavailableError';
}

/** What is kept while the daemon is away; past it, recorded output is dropped (and said). */
const MAX_KEPT_BYTES = 64 * 1024 * 1024;

function connect(socketPath: string, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new DaemonUnavailableError(`no answer from ${socketPath}`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(
        new DaemonUnavailableError(`cannot reach the agent at ${socketPath}: ${error.message}`),
      );
    });
  });
}

/** Sends one message and waits for the first answer line. */
function exchange(socket: net.Socket, message: WrapperMessage, timeoutMs: number) {
  return new Promise<{ first: DaemonMessage; reader: LineReader; rest: DaemonMessage[] }>(
    (resolve, reject) => {
      const rest: DaemonMessage[] = [];
      let first: DaemonMessage | undefined;
      const timer = setTimeout(
        () => reject(new DaemonUnavailableError('the agent did not answer in time')),
        timeoutMs,
      );
      const reader = new LineReader(
        (line) => {
          const decoded = decode(daemonMessage, line);
          if (!decoded.ok) return;
          if (first) rest.push(decoded.value);
          else {
            first = decoded.value;
            clearTimeout(timer);
            resolve({ first, reader, rest });
          }
        },
        () => reject(new DaemonUnavailableError('the agent sent an oversized line')),
      );
      socket.on('data', (chunk: Buffer) => reader.push(chunk));
      socket.once('close', () => {
        clearTimeout(timer);
        reject(new DaemonUnavailableError('the agent closed the connection'));
      });
      socket.write(`${JSON.stringify(message)}\n`);
    },
  );
}

export class DaemonLink {
  private socket: net.Socket | undefined;
  private kept: string[] = [];
  private keptBytes = 0;
  private closing = false;
  private handler: (message: DaemonMessage) => void = () => undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  dropped = 0;

  private constructor(
    private readonly socketPath: string,
    readonly welcome: Welcome,
    private readonly resumeToken: string,
  ) {}

  static async open(
    socketPath: string,
    hello: Extract<WrapperMessage, { t: 'hello' }>,
    timeoutMs = 15_000,
  ): Promise<DaemonLink> {
    const socket = await connect(socketPath, timeoutMs);
    const { first } = await exchange(socket, hello, timeoutMs);
    if (first.t === 'refused') {
      socket.destroy();
      throw new DaemonRefusedError(first.message);
    }
    if (first.t !== 'welcome') {
      socket.destroy();
      throw new DaemonUnavailableError(`the agent answered ${first.t} to hello`);
    }
    const link = new DaemonLink(socketPath, first, first.resumeToken);
    link.attach(socket);
    return link;
  }

  onMessage(handler: (message: DaemonMessage) => void): void {
    this.handler = handler;
  }

  get connected(): boolean {
    return this.socket !== undefined;
  }

  send(message: WrapperMessage): void {
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
  async close(timeoutMs = 10_000): Promise<void> {
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
        const decoded = decode(daemonMessage, line);
        if (decoded.ok) this.handler(decoded.value);
      },
      () => socket.destroy(),
    );
    socket.removeAllListeners('data');
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
          token: this.resumeToken,
        },
        5000,
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
