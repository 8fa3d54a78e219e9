/**
 * One supervised service process: its output goes line by line to the launcher's output
 * with the service name in front, and it can be stopped politely, then firmly. Children run
 * in their own process group so a terminal Ctrl-C reaches only the launcher, which then
 * stops them in order (otherwise their exits would race the launcher's signal handler).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { type ServiceSpec } from './services';

export type OutputStream = 'out' | 'err';
export type Write = (line: string, stream: OutputStream) => void;

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all. */
  readonly error?: Error;
}

export class ServiceChild {
  readonly exited: Promise<ChildExit>;
  private exit: ChildExit | undefined;
  private readonly process: ChildProcess;

  constructor(
    readonly spec: ServiceSpec,
    prefix: string,
    write: Write,
  ) {
    this.process = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env ? { ...spec.env } : process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    for (const [stream, kind] of [
      [this.process.stdout, 'out'],
      [this.process.stderr, 'err'],
    ] as const) {
      if (!stream) continue;
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) =>
        write(`${prefix}${line}`, kind),
      );
    }
    this.exited = new Promise((resolve) => {
      let spawnError: Error | undefined;
      this.process.once('error', (error) => {
        spawnError = error;
        // A process that never started emits no 'close' on every Node version.
        if (this.process.pid === undefined) finish(null, null);
      });
      // 'close' comes after the output pipes are drained, so a crash's last lines print first.
      this.process.once('close', (code, signal) => finish(code, signal));
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.exit) return;
        this.exit = { code, signal, ...(spawnError ? { error: spawnError } : {}) };
        resolve(this.exit);
      };
    });
  }

  get name(): string {
    return this.spec.name;
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs: number): Promise<ChildExit> {
    if (!this.running) return this.exited;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends to the whole process group, so anything the service forked goes too. */
  signal(signal: NodeJS.Signals): void {
    if (!this.running || this.process.pid === undefined) return;
    try {
      process.kill(-this.process.pid, signal);
    } catch {
      this.process.kill(signal);
    }
  }
}

export function describeExit(exit: ChildExit): string {
  if (exit.error) return `could not be started: ${exit.error.message}`;
  if (exit.signal) return `was killed by ${exit.signal}`;
  return `exited unexpectedly with code ${exit.code}`;
}
