/**
 * What /proc says about a process of the session: its program name and command line (for
 * app.start), whether it still runs, and which processes hold a file open for writing
 * (for file transfers to removable storage). Only processes whose /proc entries the
 * session's user may read are seen: their own.
 */
import { readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';

export interface AppProcess {
  readonly pid: number;
  /** Program name: the executable's file name, else the kernel's comm. */
  readonly name: string;
  readonly commandLine: string;
}

const MAX_COMMAND_LINE = 4096;
const SCAN_BATCH = 16;

export async function describeProcess(pid: number): Promise<AppProcess | undefined> {
  const [exe, comm, cmdline] = await Promise.all([
    readlink(`/proc/${pid}/exe`).catch(() => ''),
    readFile(`/proc/${pid}/comm`, 'utf8').catch(() => ''),
    readFile(`/proc/${pid}/cmdline`).catch(() => Buffer.alloc(0)),
  ]);
  if (!comm && !exe) return undefined;
  const argv = cmdline.toString('utf8').split('\0').filter(Boolean);
  const name = path.basename(exe.replace(/ \(deleted\)$/, '')) || comm.trim();
  return { pid, name, commandLine: argv.join(' ').slice(0, MAX_COMMAND_LINE) };
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface OpenForWrite {
  readonly pid: number;
  readonly path: string;
}

/** O_ACCMODE of an fdinfo "flags:" octal value: 1 write-only, 2 read-write. */
export function writableFlags(fdinfo: string): boolean {
  const flags = /^flags:\s+([0-7]+)/m.exec(fdinfo);
  if (!flags) return false;
  const mode = Number.parseInt(flags[1]!, 8) & 3;
  return mode === 1 || mode === 2;
}

/** Files under any of `roots` that some process has open for writing, with the process. */
export async function openForWrite(roots: readonly string[]): Promise<OpenForWrite[]> {
  if (roots.length === 0) return [];
  const prefixes = roots.map((root) => (root.endsWith('/') ? root : `${root}/`));
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((name) =>
    /^\d+$/.test(name),
  );
  const found: OpenForWrite[] = [];
  const scan = async (name: string) => {
    const fds = await readdir(`/proc/${name}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await readlink(`/proc/${name}/fd/${fd}`).catch(() => '');
      if (!prefixes.some((prefix) => target.startsWith(prefix))) continue;
      const info = await readFile(`/proc/${name}/fdinfo/${fd}`, 'utf8').catch(() => '');
      if (writableFlags(info)) found.push({ pid: Number(name), path: target });
    }
  };
  // A few processes at a time: thousands of parallel readdirs run out of file descriptors,
  // and a failed read would hide a writer.
  for (let i = 0; i < pids.length; i += SCAN_BATCH) {
    await Promise.all(pids.slice(i, i + SCAN_BATCH).map(scan));
  }
  return found;
}
