/**
 * The terminal agent's session wrapper (sessionrec-shell) on a real bash in a real
 * pseudo-terminal, with a stand-in daemon on the Unix socket that only counts what the
 * wrapper sends: how many bytes an hour of an active terminal session records (target
 * under 0.5 MB/h), and how much the wrapper adds to a keystroke's echo round trip
 * compared with the same bash in a bare pseudo-terminal (ratio in the same run).
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { type IPty, spawn } from 'node-pty';
import { encodeCastSegment } from '@sessionrec/contracts';
import type { BenchContext, Benchmark, ResultRow } from '../benchmark';
import { percentile } from '../harness/quantiles';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const SHELL_BIN = path.join(REPO_ROOT, 'services', 'agent', 'bin', 'sessionrec-shell.js');
/**
 * What an active user does: commands typed at ~7 keys/s, each printing some output, and
 * a few seconds to read it before the next one.
 */
const COMMANDS = [
  'ls -la /etc | head -15',
  'cat /etc/os-release',
  'ps -e | head -8',
  'df -h | head -5',
  'echo $((RANDOM % 100)) done',
  'uname -a',
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A daemon that welcomes every wrapper with a recording (keystrokes captured) and counts bytes. */
async function standInDaemon(socketPath: string) {
  const counts = {
    segmentBytes: 0,
    eventBytes: 0,
    segments: 0,
    /** Bytes of the cast's lines by event code ('o', 'i', 'r'; 'h' the header), newline included. */
    byCode: new Map<string, { lines: number; bytes: number }>(),
    cast: [] as string[],
  };
  const server = net.createServer((socket) => {
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const message = JSON.parse(line) as { t: string; data?: string };
        if (message.t === 'hello') {
          socket.write(
            `${JSON.stringify({
              t: 'welcome',
              sessionId: randomUUID(),
              resumeToken: 'b'.repeat(43),
              user: 'bench',
              recording: { recordingId: randomUUID(), inputCapture: true },
              idleSeconds: 300,
              segmentSeconds: 10,
              metricSeconds: 30,
            })}\n`,
          );
        } else if (message.t === 'segment' && message.data) {
          const text = Buffer.from(message.data, 'base64').toString('utf8');
          counts.segmentBytes += Buffer.byteLength(text);
          counts.segments += 1;
          counts.cast.push(text);
          for (const row of text.split('\n').filter(Boolean)) {
            const parsed = JSON.parse(row) as unknown;
            const code = Array.isArray(parsed) ? String(parsed[1]) : 'h';
            const tally = counts.byCode.get(code) ?? { lines: 0, bytes: 0 };
            tally.lines += 1;
            tally.bytes += Buffer.byteLength(row) + 1;
            counts.byCode.set(code, tally);
          }
        } else if (message.t === 'events') {
          counts.eventBytes += line.length;
        } else if (message.t === 'end') {
          socket.end();
        }
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return { counts, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

class Terminal {
  output = '';
  readonly exited: Promise<unknown>;
  private wake: (() => void) | undefined;
  constructor(readonly pty: IPty) {
    pty.onData((data) => {
      this.output += data;
      this.wake?.();
    });
    this.exited = new Promise((resolve) => pty.onExit(resolve));
  }

  /** Resolves as soon as the output (from `from` on) holds `text`: woken by each chunk, not polled. */
  async waitFor(text: string, from: number, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.output.indexOf(text, from) < 0) {
      if (Date.now() > deadline) throw new Error(`terminal did not show ${JSON.stringify(text)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** Echo round trip of one keystroke (then erased), in ms. */
  async keystroke(): Promise<number> {
    const from = this.output.length;
    const started = process.hrtime.bigint();
    this.pty.write('x');
    await this.waitFor('x', from);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const erase = this.output.length;
    this.pty.write('\x7f');
    await this.waitFor('\b', erase);
    return ms;
  }
}

function start(file: string, args: string[], env: NodeJS.ProcessEnv): Terminal {
  return new Terminal(
    spawn(file, args, {
      name: 'xterm-256color',
      cols: 120,
      rows: 32,
      cwd: '/',
      env: env,
    }),
  );
}

async function ready(term: Terminal): Promise<void> {
  // The prompt is up once an echo marker comes back.
  const from = term.output.length;
  term.pty.write('echo rea""dy\r');
  await term.waitFor('ready', from, 30_000);
  await sleep(300);
}

async function latencies(term: Terminal, count: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i += 1) {
    samples.push(await term.keystroke());
    await sleep(20);
  }
  return samples;
}

export const terminalAgent: Benchmark = {
  name: 'terminal-agent',
  description:
    'sessionrec-shell on a real bash in a PTY: recorded MB per hour of active typing, and keystroke echo latency vs a bare PTY',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const socketPath = path.join(ctx.tmpDir, 'agent.sock');
    const config = path.join(ctx.tmpDir, 'agent.yaml');
    await writeFile(config, JSON.stringify({ ingest: 'http://127.0.0.1:9', socket: socketPath }));
    const daemon = await standInDaemon(socketPath);
    // A HOME without profile scripts: the figures are the wrapper's, not a login's.
    const env = {
      PATH: '/usr/bin:/bin',
      HOME: ctx.tmpDir,
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
    };
    try {
      const wrapped = start(process.execPath, [SHELL_BIN, '--config', config], env);
      await ready(wrapped);
      const activeMs = Math.max(4000, ctx.durationMs * 0.6);
      const started = Date.now();
      let typed = 0;
      let commands = 0;
      for (let i = 0; Date.now() - started < activeMs; i += 1) {
        commands += 1;
        const command = COMMANDS[i % COMMANDS.length]!;
        for (const key of `${command}\r`) {
          wrapped.pty.write(key);
          typed += 1;
          await sleep(140);
        }
        ctx.progress(`terminal-agent: active session, ${typed} keys typed`);
        await sleep(3000);
      }
      const elapsedMs = Date.now() - started;
      wrapped.pty.write('exit\r');
      await wrapped.exited;
      await sleep(200);
      // The size counts this session only; the keystroke probes run in a session of their own.
      const counts = {
        segmentBytes: daemon.counts.segmentBytes,
        byCode: new Map([...daemon.counts.byCode].map(([code, tally]) => [code, { ...tally }])),
        segments: [...daemon.counts.cast],
        cast: daemon.counts.cast.join(''),
      };
      const probed = start(process.execPath, [SHELL_BIN, '--config', config], env);
      await ready(probed);
      const wrappedLatency = await latencies(probed, 40);
      probed.pty.write('exit\r');
      await probed.exited;
      const perHour = (bytes: number) => ((bytes / elapsedMs) * 3_600_000) / 1e6;
      // What is stored: each segment as the daemon stores it (gzip-compressed).
      const stored = (segments: readonly string[]) =>
        segments.reduce((sum, text) => sum + encodeCastSegment(Buffer.from(text)).length, 0);
      const mbPerHour = perHour(stored(counts.segments));
      // The run is short, so its line times have few digits; half an hour into a real
      // session each has two more. The same segments with every time moved 1800 s later:
      const projected = counts.segments.map((segment) =>
        segment
          .split('\n')
          .filter(Boolean)
          .map((row) => {
            const value = JSON.parse(row) as unknown;
            if (!Array.isArray(value)) return row;
            const [time, ...rest] = value as [number, ...unknown[]];
            return JSON.stringify([Number((time + 1800).toFixed(3)), ...rest]);
          })
          .join('\n')
          .concat('\n'),
      );
      const breakdown: ResultRow[] = [
        {
          figure: '  the same with line times of an hour-long session (+1800 s each)',
          value: Number(perHour(stored(projected)).toFixed(3)),
          unit: 'MB/h',
          limit: 0.5,
        },
        {
          figure: '  the asciicast text before compression',
          value: Number(perHour(counts.segmentBytes).toFixed(3)),
          unit: 'MB/h',
        },
      ];
      // Where the text goes: output, keystrokes and window sizes, each with its line overhead.
      for (const code of ['o', 'i', 'r']) {
        const tally = counts.byCode.get(code) ?? { lines: 0, bytes: 0 };
        breakdown.push({
          figure: `    of which '${code}' lines (${tally.lines} lines, ${tally.lines ? (tally.bytes / tally.lines).toFixed(1) : 0} B each)`,
          value: Number(perHour(tally.bytes).toFixed(3)),
          unit: 'MB/h',
        });
      }
      // BENCH_TERMINAL_CAST=<file> keeps the recorded cast for a look at what it holds.
      if (process.env.BENCH_TERMINAL_CAST)
        await writeFile(process.env.BENCH_TERMINAL_CAST, counts.cast);

      const bare = start('/bin/bash', ['-l'], env);
      await ready(bare);
      const bareLatency = await latencies(bare, 40);
      bare.pty.write('exit\r');
      await bare.exited;
      const p50Wrapped = percentile(wrappedLatency, 50);
      const p50Bare = percentile(bareLatency, 50);
      return [
        {
          figure: `stored per hour of an active session (${typed} keys, ${commands} commands in ${(elapsedMs / 1000).toFixed(0)} s; output and keystrokes, gzip per segment)`,
          value: Number(mbPerHour.toFixed(3)),
          unit: 'MB/h',
          limit: 0.5,
        },
        ...breakdown,
        {
          figure: 'keystroke echo p50 through the wrapper',
          value: Number(p50Wrapped.toFixed(2)),
          unit: 'ms',
        },
        {
          figure: 'keystroke echo p50, bare PTY (ratio: wrapper / bare)',
          value: Number(p50Bare.toFixed(2)),
          unit: 'ms',
          ratio: Number((p50Wrapped / Math.max(p50Bare, 0.001)).toFixed(2)),
        },
        {
          figure: 'keystroke latency added by the wrapper (p50)',
          value: Number((p50Wrapped - p50Bare).toFixed(2)),
          unit: 'ms',
        },
      ];
    } finally {
      await daemon.close();
    }
  },
};
