/**
 * Where a round's CPU went, from /proc: a process's main thread (its event loop) apart
 * from its other threads (for a store on the filesystem, the write threads), and every
 * process of a command (PostgreSQL's backends, nats-server). What the machine spends per
 * segment is only useful with this split: it says which part a faster ingest must shrink.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { statCpuMs } from './service-process';

/** A /proc stat file's CPU in ms; undefined when the process or thread is gone. */
function cpuMsIfAlive(file: string): number | undefined {
  try {
    return statCpuMs(file);
  } catch {
    return undefined;
  }
}

export interface ThreadCpu {
  /** The thread whose id is the process id: a Node.js process's event loop. */
  mainMs: number;
  /** Every other thread, living or ended (a process's total includes ended threads). */
  otherMs: number;
}

/** CPU time a process has used since it started, its main thread apart from the rest. */
export function threadCpuMs(pid: number): ThreadCpu {
  const total = cpuMsIfAlive(`/proc/${pid}/stat`) ?? 0;
  const main = cpuMsIfAlive(`/proc/${pid}/task/${pid}/stat`) ?? 0;
  return { mainMs: main, otherMs: Math.max(0, total - main) };
}

/** CPU time used so far by each running process whose command name is `comm`. */
export function commandCpuMs(comm: string): Map<number, number> {
  const found = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== comm) continue;
    } catch {
      continue; // gone meanwhile
    }
    const ms = cpuMsIfAlive(`/proc/${entry}/stat`);
    if (ms !== undefined) found.set(Number(entry), ms);
  }
  return found;
}

/**
 * CPU the processes of `after` used since `before`: a process started meanwhile counts
 * whole; one that ended meanwhile is missed (its time is no longer in /proc), so this is a
 * lower bound when processes come and go.
 */
export function commandCpuSince(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, ms] of after) sum += Math.max(0, ms - (before.get(pid) ?? 0));
  return sum;
}
