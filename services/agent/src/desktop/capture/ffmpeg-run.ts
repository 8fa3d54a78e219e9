/**
 * One ffmpeg process of a capture: spawned with the arguments of ffmpeg-args.ts, its
 * stdout cut into init and media parts, its zmq command socket for mask changes, and a
 * clean stop ('q' on stdin makes ffmpeg flush the encoder and write the last fragment).
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { type Readable, type Writable } from 'node:stream';
import { Fmp4Splitter, type SplitPart } from './fmp4-splitter';
import { type FfmpegRun as RunSettings, ffmpegArgs } from './ffmpeg-args';
import { type FilterCommand, formatCommand } from './masks';
import { ZmtpDealer } from './zmtp-client';

/** One box (a whole fragment's mdat) may not exceed this: ingest takes 16 MiB segments. */
export const MAX_BOX_BYTES = 16 * 1024 * 1024;
const STDERR_LINES_KEPT = 20;
const STOP_GRACE_MS = 10_000;
const KILL_GRACE_MS = 3_000;
const CONNECT_ATTEMPTS = 40;

/**
 * Only what ffmpeg needs to reach the display (the X authority cookie is found through
 * XAUTHORITY or HOME); never the rest of the agent's environment.
 */
export function ffmpegEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { PATH: env.PATH ?? '/usr/bin:/bin', LANG: 'C' };
  if (env.HOME) out.HOME = env.HOME;
  if (env.XAUTHORITY) out.XAUTHORITY = env.XAUTHORITY;
  return out;
}

export interface RunExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The last lines ffmpeg wrote on stderr, for the error report. */
  readonly stderrTail: string;
  /** Set when the stream itself was bad (not MP4, box too big). */
  readonly streamError?: Error;
}

export interface RunHandlers {
  onPart(part: SplitPart): void;
  onExit(exit: RunExit): void;
  log(line: string): void;
}

export class FfmpegProcess {
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  private readonly splitter = new Fmp4Splitter(MAX_BOX_BYTES);
  private readonly stderrLines: string[] = [];
  private stderrPartial = '';
  private dealer: ZmtpDealer | undefined;
  private streamError: Error | undefined;
  readonly exited: Promise<RunExit>;

  constructor(
    readonly settings: RunSettings,
    ffmpegPath: string,
    private readonly handlers: RunHandlers,
  ) {
    this.child = spawn(ffmpegPath, ffmpegArgs(settings), {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: ffmpegEnv(process.env),
    });
    this.child.stdin.on('error', () => undefined); // ffmpeg gone: the exit says why
    this.child.stdout.on('data', (chunk: Buffer) => this.onStdout(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => this.onStderr(chunk));
    const stdoutDone = new Promise<void>((resolve) => this.child.stdout.once('close', resolve));
    const processDone = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
      (resolve) => {
        this.child.once('exit', (code, signal) => resolve({ code, signal }));
        this.child.once('error', (error) => {
          this.streamError ??= error;
          resolve({ code: null, signal: null });
        });
      },
    );
    this.exited = Promise.all([processDone, stdoutDone]).then(([{ code, signal }]) => {
      this.dealer?.close();
      if (!this.streamError) {
        try {
          this.splitter.finish();
        } catch (error) {
          this.streamError = error as Error;
        }
      }
      if (this.stderrPartial) this.keepStderr(this.stderrPartial);
      const exit: RunExit = {
        code,
        signal,
        stderrTail: this.stderrLines.join('\n'),
        ...(this.streamError ? { streamError: this.streamError } : {}),
      };
      this.handlers.onExit(exit);
      return exit;
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Bytes of ffmpeg output held here until a whole fragment is in. */
  get bufferedBytes(): number {
    return this.splitter.bufferedBytes;
  }

  /**
   * Connects to the zmq filter's socket. ffmpeg binds it while building its filter graph,
   * before it writes the init segment, so it is normally there at once; a few retries
   * cover a slow start.
   */
  async connectCommands(): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        this.dealer = await ZmtpDealer.connect(this.settings.commandSocket);
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const retry = code === 'ENOENT' || code === 'ECONNREFUSED';
        if (!retry || attempt >= CONNECT_ATTEMPTS || this.child.exitCode !== null) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  /** Sends the commands in one write; resolves once ffmpeg has applied them to a frame. */
  async send(commands: readonly FilterCommand[]): Promise<void> {
    if (commands.length === 0) return;
    if (!this.dealer) throw new Error('the mask command channel is not connected');
    const replies = await this.dealer.requestAll(commands.map(formatCommand));
    const failed = replies.findIndex((reply) => !reply.startsWith('0 '));
    if (failed >= 0) {
      throw new Error(`ffmpeg refused '${formatCommand(commands[failed]!)}': ${replies[failed]}`);
    }
  }

  /** Backpressure: ffmpeg blocks on a full pipe, so the screen is grabbed less, not queued. */
  pause(): void {
    this.child.stdout.pause();
  }

  resume(): void {
    this.child.stdout.resume();
  }

  /** Asks ffmpeg to finish (flushing the last fragment); kills it if it does not. */
  async stop(): Promise<RunExit> {
    this.resume();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.stdin.end('q');
    }
    const timer = setTimeout(() => {
      this.handlers.log('ffmpeg did not stop on q; sending SIGTERM');
      this.child.kill('SIGTERM');
      const kill = setTimeout(() => this.child.kill('SIGKILL'), KILL_GRACE_MS);
      void this.exited.then(() => clearTimeout(kill));
    }, STOP_GRACE_MS);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills at once (no flush): for a run that went wrong. */
  kill(): void {
    this.child.kill('SIGKILL');
  }

  private onStdout(chunk: Buffer): void {
    if (this.streamError) return;
    try {
      for (const part of this.splitter.push(chunk)) this.handlers.onPart(part);
    } catch (error) {
      this.streamError = error as Error;
      this.kill();
    }
  }

  private onStderr(chunk: Buffer): void {
    const text = this.stderrPartial + chunk.toString('utf8');
    const lines = text.split(/\r?\n/);
    this.stderrPartial = lines.pop() ?? '';
    if (this.stderrPartial.length > 4096) {
      lines.push(this.stderrPartial);
      this.stderrPartial = '';
    }
    for (const line of lines) if (line.trim()) this.keepStderr(line);
  }

  private keepStderr(line: string): void {
    const bounded = line.length > 500 ? `${line.slice(0, 500)}…` : line;
    this.stderrLines.push(bounded);
    if (this.stderrLines.length > STDERR_LINES_KEPT) this.stderrLines.shift();
    this.handlers.log(`ffmpeg: ${bounded}`);
  }
}
