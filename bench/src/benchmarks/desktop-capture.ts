/**
 * The desktop agent's screen capture under Xvfb at 1920×1080, for workloads driven with
 * xdotool on xterms full of anti-aliased text: an idle desktop; office work (a sentence
 * typed at ~6 keys/s, 5 s of reading, windows switched every two sentences, an excluded
 * window's mask toggled at each switch); continuous scrolling (a terminal printing ~30
 * lines/s). For each, the agent (ScreenCapture in its own Node process, with its ffmpeg)
 * and a plain `ffmpeg -f x11grab … -c:v libx264` capture of the same display run side by
 * side in the same run (same frame rate, preset and CRF; constant frame rate, x264's
 * default GOP, no masks): encoded MB per hour in steady state (amortised, see
 * desktop-capture-mp4.ts: measured frames in the window, keyframes at the encoder's rate
 * and the measured keyframe size), CPU % of one core (agent = node + ffmpeg), peak RSS,
 * agent/plain ratios, and how long a mask change takes to be in force.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { promisify } from 'node:util';
import type { BenchContext, Benchmark, ResultRow } from '../benchmark';
import { percentile } from '../harness/quantiles';
import { amortise, readSamples } from './desktop-capture-mp4';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const WIDTH = 1920;
const HEIGHT = 1080;
/** The desktop session's defaults (desktop-wire DEFAULT_DESKTOP_CAPTURE, config). */
const FRAME_RATE = 5;
const QUALITY = 'medium';
const CRF = 28;
const PRESET = 'veryfast';
/** The recommended desktop segment length (the most the agent config allows). */
const SEGMENT_SECONDS = 60;
/** x264's default keyframe interval (the plain capture's). */
const PLAIN_KEYINT = 250;
const AGENT_SCRIPT = path.join(__dirname, 'desktop-capture-agent.js');
const TEXT_FILES = ['/etc/services', '/usr/share/common-licenses/GPL-3', '/etc/ssl/openssl.cnf'];

type Workload = 'idle' | 'office' | 'scrolling';
interface Scenario {
  readonly name: string;
  readonly workload: Workload;
  readonly segmentSeconds: number;
  readonly limits: { mbPerHour?: number; cpu?: number };
}
const SCENARIOS: readonly Scenario[] = [
  {
    name: 'idle',
    workload: 'idle',
    segmentSeconds: SEGMENT_SECONDS,
    limits: { mbPerHour: 1, cpu: 5 },
  },
  {
    name: 'office',
    workload: 'office',
    segmentSeconds: SEGMENT_SECONDS,
    limits: { mbPerHour: 10 },
  },
  {
    name: 'office, 6 s segments',
    workload: 'office',
    segmentSeconds: 6,
    limits: { mbPerHour: 10 },
  },
  { name: 'scrolling', workload: 'scrolling', segmentSeconds: SEGMENT_SECONDS, limits: {} },
];

function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

function rssKb(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) : 0;
  } catch {
    return 0;
  }
}

/** CPU (% of one core) and peak RSS of a group of processes between begin() and end(). */
class Usage {
  private startTicks = 0;
  private startAt = 0;
  private peakKb = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pids: () => number[]) {}

  begin(): void {
    this.startTicks = this.ticks();
    this.startAt = Date.now();
    this.timer = setInterval(() => {
      this.peakKb = Math.max(
        this.peakKb,
        this.pids().reduce((sum, pid) => sum + rssKb(pid), 0),
      );
    }, 500);
  }

  end(): { cpuPercent: number; peakRssMiB: number } {
    clearInterval(this.timer);
    const seconds = (Date.now() - this.startAt) / 1000;
    const cpuSeconds = (this.ticks() - this.startTicks) / 100;
    return { cpuPercent: (100 * cpuSeconds) / seconds, peakRssMiB: this.peakKb / 1024 };
  }

  private ticks(): number {
    return this.pids().reduce((sum, pid) => sum + cpuTicks(pid), 0);
  }
}

class XServer {
  private readonly apps: ChildProcess[] = [];
  private constructor(
    readonly display: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(): Promise<XServer> {
    const child = spawn(
      'Xvfb',
      ['-displayfd', '3', '-screen', '0', `${WIDTH}x${HEIGHT}x24`, '-nolisten', 'tcp', '-br'],
      { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] },
    );
    const display = await new Promise<string>((resolve, reject) => {
      let out = '';
      (child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(`:${out.trim()}`);
      });
      child.once('exit', (code) => reject(new Error(`Xvfb exited (${code}); is it installed?`)));
    });
    const server = new XServer(display, child);
    await server.waitReady();
    return server;
  }

  /** Until a client can connect (xdpyinfo answers). */
  private async waitReady(): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        await run('xdpyinfo', ['-display', this.display]);
        return;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`Xvfb ${this.display} does not answer: ${String(error)}`);
        await sleep(200);
      }
    }
  }

  get env(): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH, DISPLAY: this.display, HOME: process.env.HOME };
  }

  /** An xterm, tried twice: under load one sometimes fails to open the display. */
  async xterm(title: string, geometry: string, background: string, command: string) {
    try {
      return await this.xtermOnce(title, geometry, background, command);
    } catch {
      return await this.xtermOnce(title, geometry, background, command);
    }
  }

  private async xtermOnce(title: string, geometry: string, background: string, command: string) {
    const child = spawn(
      'xterm',
      [
        ...['-T', title, '-geometry', geometry, '-bg', background, '-fg', '#e5e7eb'],
        ...['-fa', 'DejaVu Sans Mono', '-fs', '10', '-e', 'sh', '-c', command],
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], env: this.env },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    this.apps.push(child);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && child.exitCode === null) {
      const id = await this.windowId(title).catch(() => '');
      if (id) return id;
      await sleep(100);
    }
    throw new Error(`xterm ${title} did not appear (exit ${child.exitCode}): ${stderr}`);
  }

  async windowId(title: string): Promise<string> {
    const { stdout } = await run('xdotool', ['search', '--name', `^${title}$`], { env: this.env });
    return stdout.trim().split('\n')[0] ?? '';
  }

  async geometry(id: string) {
    const { stdout } = await run('xdotool', ['getwindowgeometry', '--shell', id], {
      env: this.env,
    });
    const value = (key: string) => Number(new RegExp(`${key}=(\\d+)`).exec(stdout)?.[1] ?? 0);
    return { x: value('X'), y: value('Y'), width: value('WIDTH'), height: value('HEIGHT') };
  }

  async xdotool(...args: string[]): Promise<void> {
    await run('xdotool', args, { env: this.env });
  }

  async stop(): Promise<void> {
    for (const app of this.apps) app.kill('SIGKILL');
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** The agent's capture in its own process (desktop-capture-agent.ts). */
class AgentCapture {
  bytes = 0;
  segments = 0;
  ffmpegPid = 0;
  /** Wall time the init arrived: media time zero. */
  t0 = 0;
  readonly maskLatencies: number[] = [];
  readonly errors: string[] = [];
  private readonly waiters: { t: string; resolve: () => void }[] = [];

  private constructor(private readonly child: ChildProcess) {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const message = JSON.parse(line) as {
        t: string;
        bytes?: number;
        ms?: number;
        ffmpegPid?: number;
        message?: string;
      };
      if (message.t === 'segment') {
        this.bytes += message.bytes ?? 0;
        this.segments += 1;
      } else if (message.t === 'masked') {
        this.maskLatencies.push(message.ms ?? 0);
      } else if (message.t === 'ready') {
        this.ffmpegPid = message.ffmpegPid ?? 0;
        this.t0 = Date.now();
      } else if (message.t === 'error') {
        this.errors.push(message.message ?? '');
      }
      const at = this.waiters.findIndex((w) => w.t === message.t);
      if (at >= 0) this.waiters.splice(at, 1)[0]!.resolve();
    });
  }

  static async start(
    display: string,
    segmentSeconds: number,
    workDir: string,
    outFile: string,
  ): Promise<AgentCapture> {
    const child = spawn(
      process.execPath,
      [
        AGENT_SCRIPT,
        display,
        String(FRAME_RATE),
        QUALITY,
        String(segmentSeconds),
        workDir,
        outFile,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const agent = new AgentCapture(child);
    const ready = agent.next('ready');
    const failed = new Promise<never>((_, reject) =>
      child.once('exit', () =>
        reject(new Error(`capture agent exited: ${agent.errors.join('; ')}`)),
      ),
    );
    await Promise.race([ready, failed]);
    failed.catch(() => undefined);
    return agent;
  }

  get pids(): number[] {
    return [this.child.pid ?? 0, this.ffmpegPid].filter((pid) => pid > 0);
  }

  next(t: string): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ t, resolve }));
  }

  async setMasks(masks: { x: number; y: number; width: number; height: number }[]) {
    const done = this.next('masked');
    this.child.stdin!.write(`${JSON.stringify({ t: 'masks', masks })}\n`);
    await done;
  }

  async stop(): Promise<void> {
    const done = this.next('stopped');
    this.child.stdin!.write(`${JSON.stringify({ t: 'stop' })}\n`);
    await done;
    this.child.stdin!.end();
  }
}

/** The plain capture to compare with: x11grab → libx264 → fragmented MP4, bytes counted. */
class PlainCapture {
  /** Wall time of its first output (the header, written at the first frame). */
  t0 = 0;
  private readonly chunks: Buffer[] = [];
  private readonly exited: Promise<unknown>;

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (this.chunks.length === 0) this.t0 = Date.now();
      this.chunks.push(chunk);
    });
    this.exited = new Promise((resolve) => child.once('exit', resolve));
  }

  get output(): Buffer {
    return Buffer.concat(this.chunks);
  }

  static start(display: string): PlainCapture {
    const args = [
      ...['-hide_banner', '-nostats', '-loglevel', 'error'],
      ...['-f', 'x11grab', '-framerate', String(FRAME_RATE), '-i', display],
      ...['-c:v', 'libx264', '-preset', PRESET, '-crf', String(CRF), '-pix_fmt', 'yuv420p'],
      ...['-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov', '-avioflags', 'direct', 'pipe:1'],
    ];
    return new PlainCapture(spawn('ffmpeg', args, { stdio: ['pipe', 'pipe', 'inherit'] }));
  }

  get pids(): number[] {
    return [this.child.pid ?? 0];
  }

  async stop(): Promise<void> {
    this.child.stdin!.end('q');
    await this.exited;
  }
}

/** A desktop with text in it: three terminals, a clock that changes each minute. */
async function furnish(x: XServer) {
  const left = await x.xterm(
    'documents',
    '110x60+0+0',
    '#1f2937',
    `cat ${TEXT_FILES[0]} | head -60; exec sleep 100000`,
  );
  const right = await x.xterm(
    'editor',
    '100x60+980+0',
    '#0f172a',
    `head -40 ${TEXT_FILES[1]}; exec cat`,
  );
  const secret = await x.xterm(
    'secret-app',
    '60x20+560+640',
    '#7f1d1d',
    `head -20 ${TEXT_FILES[2]}; exec sleep 100000`,
  );
  return { left, right, secret };
}

async function officeWork(
  x: XServer,
  windows: Awaited<ReturnType<typeof furnish>>,
  agent: AgentCapture,
  until: number,
  progress: (text: string) => void,
): Promise<void> {
  const secret = await x.geometry(windows.secret);
  const sentences = [
    'Quarterly figures look fine; send the summary to finance before Friday. ',
    'Meeting moved to 14:00, room 3B. ',
    'Reviewed the contract draft, two clauses need legal. ',
  ];
  let round = 0;
  while (Date.now() < until) {
    // Switch windows: raise one, point at it (no window manager: focus follows the pointer).
    // Two sentences in each, with a pause to read after each.
    const target = round % 2 === 0 ? windows.right : windows.left;
    await x.xdotool('windowraise', target);
    const g = await x.geometry(target);
    await x.xdotool('mousemove', String(g.x + 200), String(g.y + 300));
    // An excluded window comes and goes: its mask switches on and off.
    await agent.setMasks(round % 2 === 0 ? [secret] : []);
    for (let sentence = 0; sentence < 2 && Date.now() < until; sentence += 1) {
      const text = sentences[(round + sentence) % sentences.length]!;
      await x.xdotool('type', '--delay', '160', text);
      await x.xdotool('key', 'Return');
      progress(`${round * 2 + sentence + 1} sentences typed`);
      await sleep(5000); // reading
    }
    round += 1;
  }
}

async function scrolling(x: XServer, until: number, progress: (text: string) => void) {
  await x.xterm(
    'scroller',
    '230x70+0+0',
    '#111827',
    `while :; do cat ${TEXT_FILES.join(' ')} | while IFS= read -r l; do printf '%s\\n' "$l"; sleep 0.03; done; done`,
  );
  while (Date.now() < until) {
    progress(`${Math.ceil((until - Date.now()) / 1000)} s left`);
    await sleep(1000);
  }
}

interface ScenarioResult {
  scenario: Scenario;
  seconds: number;
  agentMbPerHour: number;
  plainMbPerHour: number;
  agentFrames: number;
  plainFrames: number;
  agentKeyframeKb: number;
  agentCpu: number;
  plainCpu: number;
  agentRss: number;
  plainRss: number;
  maskLatencies: number[];
}

async function runScenario(
  ctx: BenchContext,
  scenario: Scenario,
  index: number,
  scenarioMs: number,
): Promise<ScenarioResult> {
  const x = await XServer.start();
  try {
    const windows = await furnish(x);
    await sleep(1000);
    const workDir = path.join(ctx.tmpDir, `capture-${index}`);
    await mkdir(workDir, { mode: 0o700 });
    const agentFile = path.join(ctx.tmpDir, `agent-${index}.mp4`);
    await writeFile(agentFile, '');
    const agent = await AgentCapture.start(x.display, scenario.segmentSeconds, workDir, agentFile);
    const plain = PlainCapture.start(x.display);
    const agentUsage = new Usage(() => agent.pids);
    const plainUsage = new Usage(() => plain.pids);
    await sleep(2000);
    const started = Date.now();
    agentUsage.begin();
    plainUsage.begin();
    const until = started + scenarioMs;
    const progress = (text: string) => ctx.progress(`desktop-capture: ${scenario.name}, ${text}`);
    if (scenario.workload === 'idle') {
      while (Date.now() < until) {
        progress(`${Math.ceil((until - Date.now()) / 1000)} s left`);
        await sleep(1000);
      }
    } else if (scenario.workload === 'office') {
      await officeWork(x, windows, agent, until, progress);
    } else {
      await scrolling(x, until, progress);
    }
    const ended = Date.now();
    const agentFigures = agentUsage.end();
    const plainFigures = plainUsage.end();
    if (scenario.workload === 'office') {
      // More mask changes for the latency figure, after the measured window.
      const secret = await x.geometry(windows.secret);
      for (let i = 0; i < 10; i += 1) {
        await agent.setMasks(i % 2 === 0 ? [] : [secret]);
        await sleep(300);
      }
    }
    await Promise.all([agent.stop(), plain.stop()]);
    if (agent.errors.length > 0) throw new Error(`capture errors: ${agent.errors.join('; ')}`);
    const agentSteady = amortise(
      readSamples(await readFile(agentFile)),
      { fromMs: started - agent.t0, toMs: ended - agent.t0 },
      FRAME_RATE * scenario.segmentSeconds,
    );
    const plainSteady = amortise(
      readSamples(plain.output),
      { fromMs: started - plain.t0, toMs: ended - plain.t0 },
      PLAIN_KEYINT,
    );
    return {
      scenario,
      seconds: (ended - started) / 1000,
      agentMbPerHour: agentSteady.bytesPerHour / 1e6,
      plainMbPerHour: plainSteady.bytesPerHour / 1e6,
      agentFrames: agentSteady.framesInWindow,
      plainFrames: plainSteady.framesInWindow,
      agentKeyframeKb: agentSteady.meanKeyframeBytes / 1000,
      agentCpu: agentFigures.cpuPercent,
      plainCpu: plainFigures.cpuPercent,
      agentRss: agentFigures.peakRssMiB,
      plainRss: plainFigures.peakRssMiB,
      maskLatencies: agent.maskLatencies,
    };
  } finally {
    await x.stop();
  }
}

const round2 = (n: number) => Number(n.toFixed(2));
const optionalRatio = (a: number, b: number): { ratio?: number } =>
  b > 0 ? { ratio: round2(a / b) } : {};

function rows(result: ScenarioResult): ResultRow[] {
  const { name, limits, segmentSeconds } = result.scenario;
  const out: ResultRow[] = [
    {
      figure: `${name}: agent MB/h steady state (${result.seconds.toFixed(0)} s, ${result.agentFrames} frames kept, keyframe ${result.agentKeyframeKb.toFixed(0)} KB per ${FRAME_RATE * segmentSeconds} frames; ratio agent/plain)`,
      value: round2(result.agentMbPerHour),
      unit: 'MB/h',
      ...(limits.mbPerHour !== undefined ? { limit: limits.mbPerHour } : {}),
      ...optionalRatio(result.agentMbPerHour, result.plainMbPerHour),
    },
    {
      figure: `${name}: plain x11grab libx264 MB/h (${result.plainFrames} frames, CFR, GOP ${PLAIN_KEYINT})`,
      value: round2(result.plainMbPerHour),
      unit: 'MB/h',
    },
    {
      figure: `${name}: agent CPU, node + ffmpeg (ratio agent/plain)`,
      value: round2(result.agentCpu),
      unit: '% of a core',
      ...(limits.cpu !== undefined ? { limit: limits.cpu } : {}),
      ...optionalRatio(result.agentCpu, result.plainCpu),
    },
    {
      figure: `${name}: plain ffmpeg CPU`,
      value: round2(result.plainCpu),
      unit: '% of a core',
    },
    {
      figure: `${name}: agent peak RSS, node + ffmpeg (ratio agent/plain)`,
      value: round2(result.agentRss),
      unit: 'MiB',
      ...optionalRatio(result.agentRss, result.plainRss),
    },
  ];
  if (result.maskLatencies.length > 0) {
    out.push(
      {
        figure: `${name}: mask change in force, setMasks to ffmpeg's reply, p50 of ${result.maskLatencies.length}`,
        value: round2(percentile(result.maskLatencies, 50)),
        unit: 'ms',
      },
      {
        figure: `${name}: mask change in force, max (a frame comes every ${1000 / FRAME_RATE} ms)`,
        value: round2(Math.max(...result.maskLatencies)),
        unit: 'ms',
      },
    );
  }
  return out;
}

export const desktopCapture: Benchmark = {
  name: 'desktop-capture',
  description: `screen capture at ${WIDTH}x${HEIGHT}, ${FRAME_RATE} fps, ${QUALITY}: MB/h, CPU and RSS for idle, office and scrolling beside a plain ffmpeg x11grab capture`,
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    // At least 30 s per scenario: typing, reading and switching need time to average out.
    const scenarioMs = Math.max(30_000, ctx.durationMs);
    const out: ResultRow[] = [];
    for (const [index, scenario] of SCENARIOS.entries()) {
      ctx.progress(`desktop-capture: ${scenario.name}, starting Xvfb`);
      out.push(...rows(await runScenario(ctx, scenario, index, scenarioMs)));
    }
    return out;
  },
};
