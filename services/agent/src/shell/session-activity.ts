/**
 * What a wrapper reports besides the recording: the processes its shell starts (as
 * events), idle periods, and the SSH connection's network quality, batched to the daemon.
 * It also stops file transfers while they are blocked.
 */
import type { EventType } from '@sessionrec/contracts';
import { type Attributes, classify, isTransfer, programName } from '../detect/classify';
import { type ProcessInfo, ProcessWatcher } from '../detect/process-watcher';
import { QualitySampler, type SshEndpoints, readTcpInfo } from '../detect/tcp-info';
import type { DaemonLink } from './daemon-link';

export interface ActivityOptions {
  readonly link: DaemonLink;
  readonly rootPid: number;
  readonly nowMs: () => number;
  readonly idleSeconds: number;
  readonly metricSeconds: number;
  readonly ssh: SshEndpoints | null;
  /** Tells the user something on their terminal. */
  readonly tell: (text: string) => void;
  /** Interactive sessions have keystrokes and so idle periods. */
  readonly interactive: boolean;
  /** Report the root process (an interactive shell); a command session reports its command itself. */
  readonly reportRoot: boolean;
  /**
   * Report the processes found by polling /proc (the fallback): off when the daemon sees
   * every exec from the kernel. Polling still runs, to stop blocked transfers.
   */
  readonly reportCommands?: boolean;
}

export class SessionActivity {
  private readonly pending: { type: EventType; offsetMs: number; attributes: Attributes }[] = [];
  private readonly watcher: ProcessWatcher;
  private readonly sampler = new QualitySampler();
  private readonly timers: NodeJS.Timeout[] = [];
  private lastInputMs = 0;
  private idle = false;
  private blocked = false;
  private readonly killed = new Set<number>();

  constructor(private readonly options: ActivityOptions) {
    this.watcher = new ProcessWatcher({
      rootPid: options.rootPid,
      includeRoot: options.reportRoot,
      onStart: (info) => {
        if (options.reportCommands ?? true) this.processStarted(info);
      },
      onPoll: (live) => this.enforceBlock(live),
    });
  }

  start(): void {
    this.watcher.start();
    this.timers.push(setInterval(() => this.flush(), 1000));
    if (this.options.interactive) this.timers.push(setInterval(() => this.checkIdle(), 1000));
    if (this.options.ssh) {
      const ssh = this.options.ssh;
      const sample = async () => {
        const info = await readTcpInfo(ssh);
        if (!info) return;
        const at = this.options.nowMs();
        const quality = this.sampler.next(info, at);
        this.options.link.send({ t: 'metrics', samples: [{ offsetMs: at, ...quality }] });
      };
      void sample();
      this.timers.push(setInterval(() => void sample(), this.options.metricSeconds * 1000));
    }
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.watcher.stop();
    if (this.idle) this.event('idle.end', {});
    this.flush();
  }

  event(type: EventType, attributes: Attributes, offsetMs = this.options.nowMs()): void {
    this.pending.push({ type, offsetMs, attributes });
    if (this.pending.length >= 500) this.flush();
  }

  /** A keystroke arrived: the user is active. */
  input(): void {
    this.lastInputMs = this.options.nowMs();
    if (this.idle) {
      this.idle = false;
      this.event('idle.end', {}, this.lastInputMs);
    }
  }

  /** Blocks file transfers from now on (and stops those running). */
  async blockTransfers(): Promise<number> {
    this.blocked = true;
    const before = this.killed.size;
    await this.watcher.poll();
    return this.killed.size - before;
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const events = this.pending.splice(0, 500);
    this.options.link.send({ t: 'events', events });
  }

  private checkIdle(): void {
    const now = this.options.nowMs();
    if (!this.idle && now - this.lastInputMs >= this.options.idleSeconds * 1000) {
      this.idle = true;
      this.event(
        'idle.start',
        { idleSeconds: this.options.idleSeconds },
        this.lastInputMs + this.options.idleSeconds * 1000,
      );
    }
  }

  processStarted(info: Omit<ProcessInfo, 'startTime'>): void {
    const offsetMs = this.options.nowMs();
    for (const detected of classify(info.argv, info))
      this.event(detected.type, detected.attributes, offsetMs);
  }

  private enforceBlock(live: readonly ProcessInfo[]): void {
    if (!this.blocked) return;
    for (const info of live) {
      if (!isTransfer(info.argv) || this.killed.has(info.pid)) continue;
      try {
        process.kill(info.pid, 'SIGTERM');
      } catch {
        continue; // gone already, or not ours to stop (sudo'd): reported as not stopped
      }
      this.killed.add(info.pid);
      const tool = programName(info.argv);
      this.event('response.executed', { action: 'block-transfer', tool, pid: info.pid });
      this.options.tell(
        `\r\n[Session recording] File transfers are blocked in this session: ${tool} was stopped.\r\n`,
      );
    }
  }
}
