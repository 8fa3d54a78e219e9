/**
 * Watches the process tree under the session's shell by polling /proc: each process
 * that appears below it (pid and start time, so a reused pid is a new process) is
 * reported once with its command line. A fork of the shell that has not exec'd yet
 * (same program and arguments as its parent) is not a new command. Processes that live
 * shorter than the poll interval can be missed; docs/agent.md says so.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** Clock ticks since boot (field 22 of /proc/<pid>/stat). */
  readonly startTime: number;
  readonly argv: readonly string[];
  readonly cwd?: string;
}

/** ppid and start time from /proc/<pid>/stat; the command name may hold spaces and ')'. */
export function parseStat(text: string): { ppid: number; startTime: number } | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const fields = text
    .slice(close + 2)
    .trim()
    .split(' ');
  // fields[0] is state (field 3); ppid is field 4, starttime field 22.
  const ppid = Number(fields[1]);
  const startTime = Number(fields[19]);
  if (!Number.isInteger(ppid) || !Number.isFinite(startTime)) return null;
  return { ppid, startTime };
}

/** Child pids of a process: every thread's /proc/<pid>/task/<tid>/children. */
async function childrenOf(pid: number): Promise<number[] | null> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => null);
  if (!tasks) return [];
  const lists = await Promise.all(
    tasks.map((tid) => readFile(`/proc/${pid}/task/${tid}/children`, 'utf8').catch(() => null)),
  );
  if (lists.every((list) => list === null)) return null; // kernel without CONFIG_PROC_CHILDREN
  return lists.flatMap((list) => (list ?? '').split(' ').filter(Boolean).map(Number));
}

async function readProcess(pid: number, withCwd: boolean): Promise<ProcessInfo | null> {
  try {
    const stat = parseStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
    if (!stat) return null;
    const raw = await readFile(`/proc/${pid}/cmdline`);
    const argv = raw.toString('utf8').split('\0');
    if (argv[argv.length - 1] === '') argv.pop();
    if (argv.length === 0) return null; // a kernel thread or a zombie
    let cwd: string | undefined;
    if (withCwd) cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined);
    return { pid, ...stat, argv, ...(cwd ? { cwd } : {}) };
  } catch {
    return null; // gone already, or not ours to read
  }
}

export interface ProcessWatcherOptions {
  readonly rootPid: number;
  readonly intervalMs?: number;
  readonly onStart: (process: ProcessInfo) => void;
  /** Report the root process itself too (the session's shell or command). */
  readonly includeRoot?: boolean;
  /** Called on every poll with the live descendants (blocking a transfer uses it). */
  readonly onPoll?: (live: readonly ProcessInfo[]) => void;
}

export class ProcessWatcher {
  /** pid -> start time and argv last seen: an exec in a known process is a new command. */
  private readonly seen = new Map<number, string>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(private readonly options: ProcessWatcherOptions) {}

  /** Whether the kernel has children files; until known, assume it does. */
  private childrenFiles = true;

  /**
   * ppid -> children below the root: walked through the children files (a few reads per
   * poll, so polls can be frequent); a scan of all of /proc where the kernel has none.
   */
  private async childrenMap(): Promise<Map<number, number[]>> {
    if (!this.childrenFiles) return this.scanAll();
    const map = new Map<number, number[]>();
    const queue = [this.options.rootPid];
    while (queue.length > 0) {
      const pid = queue.shift()!;
      const children = await childrenOf(pid);
      if (children === null) {
        this.childrenFiles = false;
        return this.scanAll();
      }
      map.set(pid, children);
      queue.push(...children);
    }
    return map;
  }

  private async scanAll(): Promise<Map<number, number[]>> {
    const map = new Map<number, number[]>();
    const names = await readdir('/proc').catch(() => [] as string[]);
    await Promise.all(
      names.map(async (name) => {
        if (!/^\d+$/.test(name)) return;
        const text = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => null);
        const stat = text ? parseStat(text) : null;
        if (!stat) return;
        const list = map.get(stat.ppid) ?? [];
        list.push(Number(name));
        map.set(stat.ppid, list);
      }),
    );
    return map;
  }

  /** Polls often where walking the tree is cheap, less often where all of /proc is read. */
  private get interval(): number {
    return this.options.intervalMs ?? (this.childrenFiles ? 50 : 200);
  }

  start(): void {
    const tick = () => {
      this.polling = this.poll().finally(() => {
        if (this.timer !== undefined) this.timer = setTimeout(tick, this.interval);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops polling after a last look (so a command that just started is not missed). */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.polling;
    await this.poll();
  }

  async poll(): Promise<void> {
    const children = await this.childrenMap();
    const live: ProcessInfo[] = [];
    const argvOf = new Map<number, readonly string[]>();
    const queue = this.options.includeRoot
      ? [this.options.rootPid]
      : [...(children.get(this.options.rootPid) ?? [])];
    if (!this.options.includeRoot) {
      const root = await readProcess(this.options.rootPid, false);
      if (root) argvOf.set(root.pid, root.argv);
    }
    while (queue.length > 0) {
      const pid = queue.shift()!;
      queue.push(...(children.get(pid) ?? []));
      const known = this.seen.get(pid);
      const info = await readProcess(pid, known === undefined);
      if (!info) continue;
      argvOf.set(pid, info.argv);
      live.push(info);
      const key = `${info.startTime}\0${info.argv.join('\0')}`;
      if (known === key) continue;
      this.seen.set(pid, key);
      const parentArgv = argvOf.get(info.ppid);
      const isFork = parentArgv !== undefined && parentArgv.join('\0') === info.argv.join('\0');
      if (!isFork) this.options.onStart(info);
    }
    const alive = new Set(live.map((info) => info.pid));
    for (const pid of this.seen.keys()) if (!alive.has(pid)) this.seen.delete(pid);
    this.options.onPoll?.(live);
  }
}
