/**
 * Runs one of the platform's built services (services/<name>/dist/main.js) as a child
 * process for a benchmark, waits until it is ready, samples its CPU and memory from
 * /proc, and stops it with SIGTERM, as production would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { nodeArgsOf } from '@sessionrec/config';
import { freePort } from '@sessionrec/testing';

const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcessUsage {
  /** CPU time used since the last reset, as a percentage of one core. */
  cpuPercentOfOneCore: number;
  /** Highest resident set size seen while sampling, in MiB. */
  peakRssMiB: number;
}

/** utime + stime of a /proc stat file (a process's, or one of its threads'), in ms. */
export function statCpuMs(file: string): number {
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const stat = readFileSync(file, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** CPU time (user and system) a process has used since it started, in ms. */
export function processCpuMs(pid: number): number {
  return statCpuMs(`/proc/${pid}/stat`);
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) / 1024 : 0;
}

/**
 * CPU time the whole machine spent busy (every process and the kernel; idle and I/O wait
 * not counted) since boot, in ms, from /proc/stat; undefined where there is none.
 */
export function machineBusyMs(): number | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/);
    // cpu user nice system idle iowait irq softirq steal ...
    const ticks = [1, 2, 3, 6, 7, 8].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
    return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU use of any process, sampled every 250 ms so the figure survives its exit: the
 * busiest second shows whether the load generator, not the service, was the limit.
 */
export class CpuSampler {
  private first?: { cpuMs: number; at: number };
  private last?: { cpuMs: number; at: number };
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 250);
    this.timer.unref();
    this.sample();
  }

  private sample(): void {
    try {
      const point = { cpuMs: processCpuMs(this.pid), at: Date.now() };
      this.first ??= point;
      this.last = point;
    } catch {
      clearInterval(this.timer);
    }
  }

  /** Average CPU over the sampled life of the process, as % of one core. */
  stop(): number {
    clearInterval(this.timer);
    if (!this.first || !this.last || this.last.at === this.first.at) return 0;
    const cpuSeconds = (this.last.cpuMs - this.first.cpuMs) / 1000;
    return (100 * cpuSeconds) / ((this.last.at - this.first.at) / 1000);
  }
}

export class ServiceProcess {
  private output = '';
  private usageStart = { cpuMs: 0, at: 0 };
  private peakRss = 0;
  private sampler?: NodeJS.Timeout;
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    readonly url: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (d: Buffer) => this.keep(d));
    child.stderr?.on('data', (d: Buffer) => this.keep(d));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(
    repoRoot: string,
    service: string,
    port: number,
    env: NodeJS.ProcessEnv,
  ): Promise<ServiceProcess> {
    const entry = path.join(repoRoot, 'services', service, 'dist', 'main.js');
    // BENCH_PROFILE_DIR=<dir>: write a V8 CPU profile of each service (open it in Chrome
    // DevTools or speedscope) to see where a benchmark's time goes.
    const profileDir = process.env.BENCH_PROFILE_DIR;
    // The service's own Node.js options first, as `npm start` and the deployments give them.
    const nodeArgs = [
      ...nodeArgsOf(service),
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    ];
    const child = spawn(process.execPath, [...nodeArgs, entry], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = new ServiceProcess(service, `http://127.0.0.1:${port}`, child);
    await proc.waitReady(60_000);
    return proc;
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  private keep(chunk: Buffer): void {
    this.output = (this.output + chunk.toString()).slice(-20_000);
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) {
        throw new Error(`${this.name} exited during start-up:\n${this.output}`);
      }
      try {
        const res = await fetch(`${this.url}/health/ready`);
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`${this.name} was not ready within ${timeoutMs} ms:\n${this.output}`);
  }

  /** Starts measuring CPU and peak RSS from now. */
  resetUsage(): void {
    this.usageStart = { cpuMs: processCpuMs(this.pid), at: Date.now() };
    this.peakRss = rssMiB(this.pid);
    clearInterval(this.sampler);
    this.sampler = setInterval(() => {
      try {
        this.peakRss = Math.max(this.peakRss, rssMiB(this.pid));
      } catch {
        clearInterval(this.sampler);
      }
    }, 250);
    this.sampler.unref();
  }

  usage(): ProcessUsage {
    const seconds = (Date.now() - this.usageStart.at) / 1000;
    const cpuSeconds = (processCpuMs(this.pid) - this.usageStart.cpuMs) / 1000;
    return {
      cpuPercentOfOneCore: seconds > 0 ? (100 * cpuSeconds) / seconds : 0,
      peakRssMiB: Math.max(this.peakRss, rssMiB(this.pid)),
    };
  }

  async stop(): Promise<void> {
    clearInterval(this.sampler);
    if (this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    await this.exited;
    clearTimeout(timer);
  }
}

export { freePort };
