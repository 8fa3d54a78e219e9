/**
 * Files written to removable or network storage during the session. The mounts are read
 * from /proc/self/mountinfo (every 2 s, so a stick mounted later is picked up) and kept
 * when their mount point matches a removable or network glob (agent config plus the
 * detection policy). Each such mount is watched with inotify (fs.watch, recursive); a
 * change makes the watcher look in /proc for the processes holding files there open for
 * writing. A file is reported (path, size, writing program) once no process writes it any
 * more. While transfers are blocked, a process writing there is stopped (SIGTERM, then
 * SIGKILL), its partial file removed, and the user told.
 */
import { type FSWatcher, watch } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { compileGlobs } from '@sessionrec/contracts';
import { type OpenForWrite, describeProcess, openForWrite, processAlive } from './proc-info';

export type StorageKind = 'removable' | 'network';

export interface StorageWrite {
  readonly kind: StorageKind;
  readonly path: string;
  readonly mountPoint: string;
  readonly sizeBytes: number;
  readonly pid?: number;
  readonly app?: string;
}

export interface StorageBlock {
  readonly kind: StorageKind;
  readonly path: string;
  readonly pid?: number;
  readonly app?: string;
}

export interface StorageWatcherOptions {
  readonly removable: readonly string[];
  readonly network: readonly string[];
  readonly onWrite: (write: StorageWrite) => void;
  readonly onBlocked: (blocked: StorageBlock) => void;
  readonly log?: (line: string) => void;
  readonly mountInfo?: string;
  readonly pollMs?: number;
}

interface Mount {
  readonly point: string;
  readonly kind: StorageKind;
  readonly watcher: FSWatcher;
}

/** Mount points from /proc/self/mountinfo (field 5, with \040-style escapes undone). */
export function parseMountPoints(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((field): field is string => !!field)
    .map((field) =>
      field.replace(/\\([0-7]{3})/g, (_, octal: string) =>
        String.fromCharCode(Number.parseInt(octal, 8)),
      ),
    );
}

const GRACE_MS = 1000;

export class StorageWatcher {
  private readonly mounts = new Map<string, Mount>();
  private removable;
  private network;
  private blocked = false;
  private timer: NodeJS.Timeout | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  /** Files being written: path → the last writer seen. */
  private readonly writing = new Map<string, OpenForWrite & { kind: StorageKind }>();
  /** Touched paths waiting for a look. */
  private readonly touched = new Map<string, Mount>();
  private readonly reported = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  /** Writing processes stopped while transfers are blocked. */
  private stopped = 0;

  constructor(private readonly options: StorageWatcherOptions) {
    this.removable = compileGlobs(options.removable);
    this.network = compileGlobs(options.network);
  }

  setGlobs(removable: readonly string[], network: readonly string[]): void {
    this.removable = compileGlobs(removable);
    this.network = compileGlobs(network);
    void this.scanMounts();
  }

  async start(): Promise<void> {
    await this.scanMounts();
    this.timer = setInterval(() => void this.scanMounts(), this.options.pollMs ?? 2000);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.checkTimer) clearTimeout(this.checkTimer);
    for (const mount of this.mounts.values()) mount.watcher.close();
    this.mounts.clear();
  }

  get watchedMounts(): string[] {
    return [...this.mounts.keys()];
  }

  /** Blocks transfers from now on; resolves with how many writing processes were stopped. */
  block(): Promise<number> {
    this.blocked = true;
    // A check already queued enforces the block too: count every process stopped from now.
    const before = this.stopped;
    return this.serial(async () => {
      const writers = await openForWrite([...this.mounts.keys()]);
      this.options.log?.(
        `transfers blocked: ${writers.length} file(s) open for writing under ${this.mounts.size} mount(s)`,
      );
      await this.enforce(writers);
      return this.stopped - before;
    });
  }

  private serial<T>(step: () => Promise<T>): Promise<T> {
    const next = this.chain.then(step);
    this.chain = next.then(
      () => undefined,
      (error: unknown) => this.options.log?.(`storage watcher: ${(error as Error).message}`),
    );
    return next;
  }

  private kindOf(point: string): StorageKind | undefined {
    if (this.removable.test(point)) return 'removable';
    if (this.network.test(point)) return 'network';
    return undefined;
  }

  private async scanMounts(): Promise<void> {
    const text = await readFile(this.options.mountInfo ?? '/proc/self/mountinfo', 'utf8').catch(
      () => '',
    );
    const points = new Set(parseMountPoints(text));
    for (const [point, mount] of this.mounts) {
      if (!points.has(point) || this.kindOf(point) !== mount.kind) {
        mount.watcher.close();
        this.mounts.delete(point);
      }
    }
    for (const point of points) {
      const kind = this.kindOf(point);
      if (!kind || this.mounts.has(point)) continue;
      try {
        const mount: Mount = {
          point,
          kind,
          watcher: watch(point, { recursive: true }, (_event, name) => {
            if (name) this.touch(mount, path.join(point, name.toString()));
          }),
        };
        mount.watcher.on('error', () => undefined);
        this.mounts.set(point, mount);
        this.options.log?.(`watching ${kind} storage ${point}`);
      } catch (error) {
        this.options.log?.(`cannot watch ${point}: ${(error as Error).message}`);
      }
    }
  }

  private touch(mount: Mount, file: string): void {
    this.touched.set(file, mount);
    this.scheduleCheck(100);
  }

  private scheduleCheck(delayMs: number): void {
    if (this.checkTimer) return;
    this.checkTimer = setTimeout(() => {
      this.checkTimer = undefined;
      void this.serial(() => this.check());
    }, delayMs);
  }

  private mountOf(file: string): Mount | undefined {
    return [...this.mounts.values()].find((mount) => file.startsWith(`${mount.point}/`));
  }

  private async check(): Promise<void> {
    const touched = new Map(this.touched);
    this.touched.clear();
    const writers = await openForWrite([...this.mounts.keys()]);
    if (this.blocked) {
      await this.enforce(writers);
      // A write that finished before it was seen is still a transfer: its file goes too.
      for (const [file, mount] of touched) {
        const info = await stat(file).catch(() => undefined);
        if (!info?.isFile()) continue;
        await rm(file, { force: true });
        this.options.onBlocked({ kind: mount.kind, path: file });
      }
      return;
    }
    const now = new Set<string>();
    for (const writer of writers) {
      const mount = this.mountOf(writer.path);
      if (!mount) continue;
      now.add(writer.path);
      this.writing.set(writer.path, { ...writer, kind: mount.kind });
    }
    // Finished: written before, no writer now.
    for (const [file, writer] of this.writing) {
      if (now.has(file)) continue;
      this.writing.delete(file);
      await this.report(file, writer.kind, writer.pid);
    }
    // Written so quickly that no writer was seen.
    for (const [file, mount] of touched) {
      if (now.has(file)) continue;
      await this.report(file, mount.kind);
    }
    if (this.writing.size > 0) this.scheduleCheck(500);
  }

  private async report(file: string, kind: StorageKind, pid?: number): Promise<void> {
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return;
    const key = `${file}:${info.size}:${info.mtimeMs}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    if (this.reported.size > 10_000) this.reported.clear();
    const app = pid ? (await describeProcess(pid))?.name : undefined;
    const mount = this.mountOf(file);
    this.options.onWrite({
      kind,
      path: file,
      mountPoint: mount?.point ?? path.dirname(file),
      sizeBytes: info.size,
      ...(pid ? { pid } : {}),
      ...(app ? { app } : {}),
    });
  }

  /** Stops every writer, removes what it was writing. */
  private async enforce(writers: readonly OpenForWrite[]): Promise<number> {
    const pids = new Set<number>();
    for (const writer of writers) {
      const mount = this.mountOf(writer.path);
      if (!mount) continue;
      const app = (await describeProcess(writer.pid))?.name;
      if (!pids.has(writer.pid)) {
        pids.add(writer.pid);
        this.stopped += 1;
        try {
          process.kill(writer.pid, 'SIGTERM');
        } catch {
          // gone already, or not ours to stop
        }
      }
      this.writing.delete(writer.path);
      this.options.onBlocked({
        kind: mount.kind,
        path: writer.path,
        pid: writer.pid,
        ...(app ? { app } : {}),
      });
    }
    if (pids.size > 0) {
      await new Promise((resolve) => setTimeout(resolve, GRACE_MS));
      for (const pid of pids) {
        if (processAlive(pid)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone
          }
        }
      }
      // A file the killed process had open is partial: it goes.
      for (const writer of writers) await rm(writer.path, { force: true });
    }
    return pids.size;
  }
}
