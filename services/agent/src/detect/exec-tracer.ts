/**
 * Every exec on the host, from the kernel: the daemon (root) runs `bpftrace` on the
 * sched_process_exec tracepoint, which reports, at the moment of each successful exec,
 * the new process's pid, its ancestors (parent, grandparent, ... as the kernel links
 * them then) and its arguments read from the new program's own memory. So an exec is
 * mapped to the session whose root process (the shell in the wrapper's PTY, or the
 * forced command) it descends from, with its exact command line, even when the process
 * is gone a millisecond later, where polling /proc misses it (and where tools that read
 * /proc after the kernel's process events, such as forkstat, name the parent instead).
 * The wrappers' polling stays the fallback when bpftrace or tracefs is missing.
 *
 * Arguments past the first 200 bytes are cut by the tracer; /proc/<pid>/cmdline gives
 * the whole line when the process is still there and begins with what the tracer saw.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { parseStat } from './process-watcher';

export interface ExecSeen {
  readonly pid: number;
  readonly ppid: number;
  readonly argv: readonly string[];
  readonly cwd?: string;
  /** Wall-clock time the daemon learnt of the exec. */
  readonly at: number;
}

/** How many ancestors each exec line names (a session's commands are rarely deeper). */
export const ANCESTORS = 12;
const ARG_BYTES = 200;

/**
 * The bpftrace program: per exec a `P pid ancestor...` line and an `E pid length hex`
 * line, from two probes on the same tracepoint (one probe would exceed BPF's 512-byte
 * stack); the first runs first, so the P line of a pid comes before its E line.
 */
export function tracerProgram(): string {
  const ancestry = ['$p = curtask->real_parent;'];
  const ids: string[] = [];
  for (let i = 1; i <= ANCESTORS; i += 1) {
    ancestry.push(`$a${i} = $p->tgid;`);
    if (i < ANCESTORS) ancestry.push('$p = $p->real_parent;');
    ids.push(`$a${i}`);
  }
  return [
    'BEGIN { printf("READY\\n"); }',
    'tracepoint:sched:sched_process_exec {',
    ...ancestry,
    `printf("P %d ${'%d '.repeat(ANCESTORS - 1)}%d\\n", pid, ${ids.join(', ')});`,
    '}',
    'tracepoint:sched:sched_process_exec {',
    '$len = curtask->mm->arg_end - curtask->mm->arg_start;',
    `if ($len > ${ARG_BYTES}) { $len = ${ARG_BYTES}; }`,
    'printf("E %d %d %rx\\n", pid, $len, buf(uptr(curtask->mm->arg_start), $len));',
    '}',
  ].join('\n');
}

export type TracerLine =
  | { kind: 'ancestry'; pid: number; chain: readonly number[] }
  | { kind: 'exec'; pid: number; argv: readonly string[]; cut: boolean };

export interface ExecLine {
  readonly pid: number;
  /** The process, its parent, grandparent... up to the first unknown. */
  readonly chain: readonly number[];
  readonly argv: readonly string[];
  /** The arguments were longer than the tracer reads. */
  readonly cut: boolean;
}

const int = (text: string | undefined) => {
  const n = Number(text);
  return text !== undefined && /^\d+$/.test(text) && Number.isSafeInteger(n) ? n : -1;
};

/** One line of the tracer; null for anything else (READY, warnings, lost events). */
export function parseTracerLine(row: string): TracerLine | null {
  const fields = row.trim().split(' ');
  const pid = int(fields[1]);
  if (pid <= 0) return null;
  if (fields[0] === 'P' && fields.length === ANCESTORS + 2) {
    const chain = [pid];
    for (const field of fields.slice(2)) {
      const ancestor = int(field);
      if (ancestor <= 0 || chain.includes(ancestor)) break;
      chain.push(ancestor);
    }
    return { kind: 'ancestry', pid, chain };
  }
  if (fields[0] === 'E' && (fields.length === 3 || fields.length === 4)) {
    const length = int(fields[2]);
    const hex = fields[3] ?? '';
    if (length < 0 || !/^(\\x[0-9a-fA-F]{2})*$/.test(hex)) return null;
    const bytes = Buffer.from(hex.replace(/\\x/g, ''), 'hex');
    const argv = bytes.toString('utf8').split('\0');
    if (argv[argv.length - 1] === '') argv.pop();
    return { kind: 'exec', pid, argv, cut: length >= ARG_BYTES && bytes[bytes.length - 1] !== 0 };
  }
  return null;
}

/** The whole argv from /proc when it is the program the tracer saw, else the tracer's. */
export function chooseArgv(procArgv: readonly string[] | null, traced: ExecLine): string[] {
  if (procArgv && procArgv.length > 0) {
    const proc = procArgv.join('\0');
    const seen = traced.argv.join('\0');
    if (proc === seen || (traced.cut && proc.startsWith(seen))) return [...procArgv];
  }
  return [...traced.argv];
}

export interface ExecTracerOptions {
  readonly log: (line: string) => void;
  /** The tracer program and its arguments (tests may stand in a script). */
  readonly command?: readonly string[];
  /** Where tracefs must be mounted for tracepoints. */
  readonly tracefs?: string;
  /** How long an exec is kept for a session root that is named only afterwards. */
  readonly replayMs?: number;
}

interface Watch {
  readonly root: number;
  readonly includeRoot: boolean;
  readonly onExec: (exec: ExecSeen) => void;
}

const MAX_RECENT = 4096;
const MAX_PARENTS = 65_536;
const READY_TIMEOUT_MS = 30_000;

export class ExecTracer {
  private child: ChildProcessByStdio<null, Readable, Readable> | undefined;
  private running = false;
  /** pid -> parent pid, as exec lines told them (kept a while after the process is gone). */
  private readonly parents = new Map<number, number>();
  private readonly watches = new Set<Watch>();
  private readonly recent: { line: ExecLine; at: number }[] = [];
  /** Ancestry lines waiting for their exec line. */
  private readonly ancestry = new Map<number, readonly number[]>();
  private buffered = '';
  private ready: (() => void) | undefined;

  constructor(private readonly options: ExecTracerOptions) {}

  /** Whether execs are being traced now. */
  get active(): boolean {
    return this.running;
  }

  /** Starts the tracer; resolves false (and logs why) when it cannot run here. */
  async start(): Promise<boolean> {
    const off = (why: string) => {
      this.options.log(`exec tracing off (${why}); sessions poll /proc for commands`);
      return false;
    };
    const tracefs = this.options.tracefs ?? '/sys/kernel/tracing';
    if (!this.options.command && !existsSync(`${tracefs}/events/sched/sched_process_exec`))
      return off(`no sched_process_exec tracepoint under ${tracefs}: is tracefs mounted?`);
    const [file, ...args] = this.options.command ?? ['bpftrace', '-e', tracerProgram()];
    const child = spawn(file!, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BPFTRACE_STRLEN: String(ARG_BYTES) },
    });
    this.child = child;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    child.stdout.on('data', (chunk: Buffer) => this.feed(chunk.toString('utf8')));
    // Running once the program is compiled and attached: it prints READY then.
    const started = await new Promise<string | null>((resolve) => {
      const timer = setTimeout(() => resolve('not attached within 30 s'), READY_TIMEOUT_MS);
      this.ready = () => {
        clearTimeout(timer);
        resolve(null);
      };
      child.once('error', (error) => {
        clearTimeout(timer);
        resolve(error.message);
      });
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(lastLine(stderr) || 'the tracer exited');
      });
    });
    this.ready = undefined;
    if (started !== null) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      this.child = undefined;
      return off(started);
    }
    this.running = true;
    child.once('exit', (code, signal) => {
      if (!this.running) return;
      this.running = false;
      this.options.log(
        `exec tracer stopped (${signal ?? `exit ${code}`}: ${lastLine(stderr)}); new sessions poll /proc`,
      );
    });
    return true;
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.running = false;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  /**
   * Reports every exec below `root` (and of `root` itself when asked) from now on, and
   * those of the last seconds, for a root named after it started. Returns the
   * unsubscribe function.
   */
  watch(root: number, includeRoot: boolean, onExec: (exec: ExecSeen) => void): () => void {
    const watch: Watch = { root, includeRoot, onExec };
    this.watches.add(watch);
    const horizon = Date.now() - (this.options.replayMs ?? 10_000);
    for (const { line, at } of this.recent) {
      if (at >= horizon && covers(watch, line.chain)) onExec(describe(line, at));
    }
    return () => this.watches.delete(watch);
  }

  /** A process's parent: as an exec line told it (also after it is gone), else from /proc. */
  parentOf(pid: number): number | undefined {
    return this.parents.get(pid) ?? procParent(pid);
  }

  /** Feeds the tracer's output (exposed for tests). */
  feed(text: string): void {
    this.buffered += text;
    let newline: number;
    while ((newline = this.buffered.indexOf('\n')) >= 0) {
      const row = this.buffered.slice(0, newline);
      this.buffered = this.buffered.slice(newline + 1);
      if (row.trim() === 'READY') this.ready?.();
      const line = parseTracerLine(row);
      if (line?.kind === 'ancestry') {
        this.ancestry.set(line.pid, line.chain);
        if (this.ancestry.size > 1024) this.ancestry.delete(this.ancestry.keys().next().value!);
      } else if (line?.kind === 'exec') {
        const chain = this.ancestry.get(line.pid) ?? this.chainFromParents(line.pid);
        this.ancestry.delete(line.pid);
        this.onExec({ pid: line.pid, chain, argv: line.argv, cut: line.cut });
      }
    }
    if (this.buffered.length > 1 << 20) this.buffered = ''; // never a line that long
  }

  /** Where the ancestry line was lost: what exec lines and /proc tell. */
  private chainFromParents(pid: number): number[] {
    const chain = [pid];
    while (chain.length <= ANCESTORS) {
      const parent = this.parentOf(chain[chain.length - 1]!);
      if (parent === undefined || parent <= 0 || chain.includes(parent)) break;
      chain.push(parent);
    }
    return chain;
  }

  private onExec(line: ExecLine): void {
    const at = Date.now();
    for (let i = 0; i + 1 < line.chain.length; i += 1)
      this.parents.set(line.chain[i]!, line.chain[i + 1]!);
    if (this.parents.size > MAX_PARENTS) {
      // Oldest first: Map keeps insertion order.
      let drop = this.parents.size - MAX_PARENTS / 2;
      for (const pid of this.parents.keys()) {
        if (drop-- <= 0) break;
        this.parents.delete(pid);
      }
    }
    this.recent.push({ line, at });
    const horizon = at - (this.options.replayMs ?? 10_000);
    while (
      this.recent.length > 0 &&
      (this.recent.length > MAX_RECENT || this.recent[0]!.at < horizon)
    )
      this.recent.shift();
    let described: ExecSeen | undefined;
    for (const watch of this.watches) {
      if (!covers(watch, line.chain)) continue;
      described ??= describe(line, at);
      watch.onExec(described);
    }
  }
}

function covers(watch: Watch, chain: readonly number[]): boolean {
  const index = chain.indexOf(watch.root);
  return index > 0 || (index === 0 && watch.includeRoot);
}

function describe(line: ExecLine, at: number): ExecSeen {
  let cwd: string | undefined;
  try {
    cwd = readlinkSync(`/proc/${line.pid}/cwd`);
  } catch {
    cwd = undefined; // gone already
  }
  return {
    pid: line.pid,
    ppid: line.chain[1] ?? 0,
    argv: chooseArgv(procArgv(line.pid), line),
    ...(cwd ? { cwd } : {}),
    at,
  };
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .filter((l) => !/RLIMIT_MEMLOCK/.test(l))
      .pop() ?? ''
  );
}

function procArgv(pid: number): string[] | null {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`).toString('utf8').split('\0');
    if (argv[argv.length - 1] === '') argv.pop();
    return argv;
  } catch {
    return null;
  }
}

function procParent(pid: number): number | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.ppid;
  } catch {
    return undefined;
  }
}
