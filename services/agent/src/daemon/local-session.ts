/**
 * The daemon's side of one session process connected on a local socket: the life cycle the
 * terminal wrapper's sessions (daemon-session.ts) and the desktop sessions
 * (desktop-session.ts) share. It reads validated NDJSON lines and handles them one at a
 * time, in order; waits (bounded) for the hello or resume, then reads the peer's user from
 * the kernel; answers the session's replies to the daemon's own questions (`switched`,
 * `verdict`) at once, since the queue may be waiting on them; holds the segments of a
 * recording being stopped until the session has switched; submits JSON to the spool under
 * the session's lane; sends control commands and waits (bounded) for their verdicts; and,
 * when the socket closes without the daemon stopping, ends the session.
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { z } from 'zod';
import type { ExecTracer } from '../detect/exec-tracer';
import type { PolicyClient } from '../policy/policy-client';
import { SpoolFullError } from '../spool/spool';
import type { SpoolMeta } from '../spool/spool-item';
import type { AgentConfig } from './config';
import type { Peer } from './peer';
import type { SessionState, SessionStateStore } from './session-state';
import { type commandMessage, LineReader, type metricsMessage, decode } from './wire';

export type DaemonSubmit = (
  meta: Omit<SpoolMeta, 'createdAt' | 'headers'> & { headers?: Record<string, string> },
  body: Uint8Array,
) => Promise<void>;

export interface DaemonContext {
  readonly config: AgentConfig;
  readonly hostname: string;
  readonly submit: DaemonSubmit;
  /** Whether the spool can take a segment of this size and keep room for the session's end. */
  readonly spoolHasRoom: (bytes: number) => boolean;
  readonly policy: Pick<PolicyClient, 'evaluate'>;
  readonly states: SessionStateStore;
  readonly peerOf: (socket: Socket) => Promise<Peer>;
  readonly log: (line: string) => void;
  /** Every exec on the host from the kernel, when the daemon can trace them. */
  readonly execTracer?: Pick<ExecTracer, 'active' | 'watch' | 'parentOf'>;
}

export interface CommandOutcome {
  readonly status: 'acked' | 'failed';
  readonly detail?: string;
}

export type CommandMessage = z.infer<typeof commandMessage>;
export type CommandAction = CommandMessage['action'];

/** The messages every session protocol has in common (wire.ts). */
type SessionLine =
  | { t: 'hello' }
  | { t: 'resume' }
  | { t: 'switched'; ref: number }
  | { t: 'verdict'; commandId: string; status: 'acked' | 'failed'; detail?: string }
  | { t: 'segment'; recordingId: string }
  | z.infer<typeof metricsMessage>;

export interface ChannelOptions<In> {
  /** Log prefix: "session", "desktop". */
  readonly label: string;
  /** What the other end is called in verdicts: "session wrapper", "desktop session". */
  readonly peerName: string;
  readonly incoming: z.ZodType<In>;
  /** Longest line accepted (LineReader's default when absent). */
  readonly maxLineBytes?: number;
  readonly helloTimeoutMs: number;
  readonly switchTimeoutMs: number;
  readonly commandTimeoutMs: number;
  /** Session end reason when the process vanished without saying goodbye. */
  readonly lostReason: string;
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

export abstract class LocalSessionChannel<
  In extends { t: string },
  Out extends { t: string },
  Context extends DaemonContext = DaemonContext,
> {
  state: SessionState | undefined;
  protected startedAtMs = 0;
  protected ended = false;
  protected closed = false;
  /** The daemon is stopping: the session goes on and its process will resume it. */
  protected detached = false;
  protected queue: Promise<void> = Promise.resolve();
  /** The recording being stopped while the session sends its last segments. */
  protected draining: string | undefined;
  protected readonly held: Extract<In, { t: 'segment' }>[] = [];
  private nextRef = 1;
  private readonly switches = new Map<number, () => void>();
  private readonly verdicts = new Map<string, (outcome: CommandOutcome) => void>();
  private readonly helloTimer: NodeJS.Timeout;

  protected constructor(
    protected readonly socket: Socket,
    protected readonly ctx: Context,
    private readonly options: ChannelOptions<In>,
  ) {
    const reader = new LineReader(
      (line) => this.enqueue(line),
      (message) => this.fail(`${options.peerName} sent an oversized line (${message})`),
      options.maxLineBytes,
    );
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      clearTimeout(this.helloTimer);
      this.socketClosed();
      for (const resolve of this.switches.values()) resolve();
      for (const resolve of this.verdicts.values())
        resolve({ status: 'failed', detail: `${options.peerName} went away` });
      // A session process that vanished without saying goodbye (killed, host going down):
      // the session is over; what it had sent is spooled.
      if (!this.detached) this.enqueueStep(() => this.finish(options.lostReason));
    });
    this.helloTimer = setTimeout(
      () => this.fail(`no hello within ${options.helloTimeoutMs / 1000} s`),
      options.helloTimeoutMs,
    );
  }

  // ---- what each kind of session does ----------------------------------------------

  protected abstract begin(message: Extract<In, { t: 'hello' }>, peer: Peer): Promise<void>;
  protected abstract resume(message: Extract<In, { t: 'resume' }>, peer: Peer): Promise<void>;
  /** Any other message, once the session has begun. */
  protected abstract handle(message: In): Promise<void>;
  protected abstract finish(reason: string, offsetMs?: number): Promise<void>;
  /** The message telling the session what to record now. */
  protected abstract recordingMessage(ref: number): Out;
  protected abstract storeSegment(
    recording: NonNullable<SessionState['recording']>,
    message: Extract<In, { t: 'segment' }>,
  ): Promise<void>;
  /** The socket closed (detached or not). */
  protected socketClosed(): void {}

  // ---- the channel -----------------------------------------------------------------

  get sessionId(): string | undefined {
    return this.state?.sessionId;
  }

  async detach(): Promise<void> {
    this.detached = true;
    this.socket.destroy();
    await this.queue;
  }

  protected nowMs(): number {
    return Math.max(0, Date.now() - this.startedAtMs);
  }

  protected iso(offsetMs: number): string {
    return new Date(this.startedAtMs + offsetMs).toISOString();
  }

  protected send(message: Out | CommandMessage): void {
    if (!this.closed) this.socket.write(`${JSON.stringify(message)}\n`);
  }

  protected fail(reason: string): void {
    this.ctx.log(
      `${this.options.label} ${this.sessionId ?? '(new)'}: closing the connection: ${reason}`,
    );
    this.socket.destroy();
  }

  protected enqueueStep(step: () => Promise<void>): void {
    this.queue = this.queue.then(step).catch((error: unknown) => {
      this.ctx.log(
        `${this.options.label} ${this.sessionId ?? '(new)'}: ${(error as Error).message}`,
      );
      if (!(error instanceof SpoolFullError)) this.fail((error as Error).message);
    });
  }

  private enqueue(line: string): void {
    const decoded = decode(this.options.incoming, line);
    if (!decoded.ok) {
      this.fail(`invalid message: ${decoded.error}`);
      return;
    }
    const message = decoded.value;
    const common = message as unknown as SessionLine;
    // Answers to the daemon's own questions must not wait behind the queue that waits on them.
    if (common.t === 'switched') {
      this.switches.get(common.ref)?.();
      this.switches.delete(common.ref);
      return;
    }
    if (common.t === 'segment' && this.draining === common.recordingId) {
      this.held.push(message as Extract<In, { t: 'segment' }>);
      return;
    }
    if (common.t === 'verdict') {
      const resolve = this.verdicts.get(common.commandId);
      this.verdicts.delete(common.commandId);
      resolve?.({ status: common.status, ...(common.detail ? { detail: common.detail } : {}) });
      return;
    }
    this.enqueueStep(() => this.dispatch(message));
  }

  private async dispatch(message: In): Promise<void> {
    const common = message as unknown as SessionLine;
    if (common.t === 'hello' || common.t === 'resume') {
      if (this.state) throw new Error(`${common.t} after the session began`);
      clearTimeout(this.helloTimer);
      const peer = await this.ctx.peerOf(this.socket);
      if (common.t === 'hello') await this.begin(message as Extract<In, { t: 'hello' }>, peer);
      else await this.resume(message as Extract<In, { t: 'resume' }>, peer);
      return;
    }
    if (!this.state || this.ended) throw new Error(`${common.t} outside a session`);
    if (common.t === 'metrics') return this.submitMetrics(common.samples);
    return this.handle(message);
  }

  /** Network quality samples of the session's connection, stamped and spooled. */
  protected submitMetrics(samples: z.infer<typeof metricsMessage>['samples']): Promise<void> {
    return this.submitJson(
      'metrics',
      `/sessions/${this.state!.sessionId}/metrics`,
      {
        samples: samples.map((sample) => ({
          sampleId: randomUUID(),
          at: this.iso(sample.offsetMs),
          ...sample,
        })),
      },
      samples.length,
    );
  }

  protected submitJson(
    kind: SpoolMeta['kind'],
    path: string,
    body: unknown,
    count = 1,
    recordingId?: string,
  ): Promise<void> {
    return this.ctx.submit(
      {
        kind,
        lane: this.state!.sessionId,
        ...(recordingId ? { recordingId } : {}),
        method: 'POST',
        path,
        json: true,
        count,
      },
      json(body),
    );
  }

  /**
   * Tells the session what to record and waits (bounded) until it has switched. Segments
   * of `draining` (the recording being stopped) that arrive meanwhile are held and stored
   * before the caller stops that recording.
   */
  protected async tellSession(draining?: NonNullable<SessionState['recording']>): Promise<void> {
    if (this.closed) return;
    const ref = this.nextRef++;
    const switched = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.options.switchTimeoutMs);
      this.switches.set(ref, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.draining = draining?.id;
    this.send(this.recordingMessage(ref));
    await switched;
    this.draining = undefined;
    const held = this.held.splice(0);
    if (draining) for (const message of held) await this.storeSegment(draining, message);
  }

  /** Tells the session what to record without waiting for it (the spool is full). */
  protected tellSessionNow(): void {
    this.send(this.recordingMessage(this.nextRef++));
  }

  /** Lock, unlock, disconnect, log off, block transfers, notice: the session carries them out. */
  wrapperCommand(
    commandId: string,
    action: CommandAction,
    message?: string,
  ): Promise<CommandOutcome> {
    if (this.closed || this.ended)
      return Promise.resolve({ status: 'failed', detail: 'session has ended' });
    return this.sessionCommand(commandId, action, message);
  }

  /** Sends a command to the session process and waits (bounded) for its verdict. */
  protected sessionCommand(
    commandId: string,
    action: CommandAction,
    message?: string,
  ): Promise<CommandOutcome> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.verdicts.delete(commandId);
        resolve({ status: 'failed', detail: `the ${this.options.peerName} did not answer` });
      }, this.options.commandTimeoutMs);
      this.verdicts.set(commandId, (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      });
      this.send({ t: 'command', commandId, action, ...(message ? { message } : {}) });
    });
  }
}
