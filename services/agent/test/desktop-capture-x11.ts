/**
 * What the screen-capture test and benchmark need from X11: an Xvfb on a display number
 * the server picks itself (-displayfd, so parallel suites never collide), xterm windows
 * with known colours and titles, their geometry, and decoding recorded frames to RGB.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class Xvfb {
  private constructor(
    readonly display: string,
    private readonly child: ChildProcess,
    private readonly apps: ChildProcess[] = [],
  ) {}

  static async start(width: number, height: number): Promise<Xvfb> {
    const child = spawn(
      'Xvfb',
      ['-displayfd', '3', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp', '-noreset'],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const display = await new Promise<string>((resolve, reject) => {
      let out = '';
      const fd3 = child.stdio[3] as NodeJS.ReadableStream;
      fd3.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(`:${out.trim()}`);
      });
      child.once('exit', (code) => reject(new Error(`Xvfb exited (${code}): ${stderr}`)));
      setTimeout(() => reject(new Error(`Xvfb gave no display number: ${stderr}`)), 15_000);
    });
    return new Xvfb(display, child);
  }

  /** An xterm at a pixel position, background colour and title, running `command`. */
  async xterm(options: {
    title: string;
    background: string;
    x: number;
    y: number;
    columns: number;
    rows: number;
    command: string;
  }): Promise<ChildProcess> {
    const child = spawn(
      'xterm',
      [
        '-T',
        options.title,
        '-bg',
        options.background,
        '-fg',
        'white',
        '-geometry',
        `${options.columns}x${options.rows}+${options.x}+${options.y}`,
        '-e',
        'sh',
        '-c',
        options.command,
      ],
      { stdio: 'ignore', env: { PATH: process.env.PATH, DISPLAY: this.display } },
    );
    this.apps.push(child);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (await this.geometry(options.title).catch(() => undefined)) return child;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`xterm '${options.title}' did not map`);
  }

  /** Where a window (by title) is on screen, in pixels. */
  async geometry(title: string): Promise<{ x: number; y: number; width: number; height: number }> {
    const { stdout } = await run('xwininfo', ['-display', this.display, '-name', title]);
    const field = (name: string) => {
      const match = new RegExp(`${name}:\\s+(-?\\d+)`).exec(stdout);
      if (!match) throw new Error(`xwininfo gave no ${name}`);
      return Number(match[1]);
    };
    return {
      x: field('Absolute upper-left X'),
      y: field('Absolute upper-left Y'),
      width: field('Width'),
      height: field('Height'),
    };
  }

  async xdotool(...args: string[]): Promise<void> {
    await run('xdotool', args, { env: { PATH: process.env.PATH, DISPLAY: this.display } });
  }

  async stop(): Promise<void> {
    for (const app of this.apps) app.kill('SIGKILL');
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** Every frame of an MP4 file as packed RGB (width × height × 3 bytes each). */
export async function decodeRgbFrames(
  file: string,
  width: number,
  height: number,
): Promise<Buffer[]> {
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    { encoding: 'buffer', maxBuffer: 1 << 30 },
  );
  const size = width * height * 3;
  if (stdout.length % size !== 0)
    throw new Error(`decoded ${stdout.length} bytes, not whole frames`);
  const frames: Buffer[] = [];
  for (let at = 0; at < stdout.length; at += size) frames.push(stdout.subarray(at, at + size));
  return frames;
}

export interface RegionColours {
  /** Share of pixels with every channel at most 24 (black). */
  black: number;
  /** Share of pixels whose red channel is high and green/blue low. */
  red: number;
  /** Share of pixels that are neither black nor dark grey. */
  coloured: number;
}

export function regionColours(
  frame: Buffer,
  width: number,
  rect: { x: number; y: number; width: number; height: number },
): RegionColours {
  let black = 0;
  let red = 0;
  let coloured = 0;
  let count = 0;
  for (let y = rect.y; y < rect.y + rect.height; y += 1) {
    for (let x = rect.x; x < rect.x + rect.width; x += 1) {
      const at = (y * width + x) * 3;
      const [r, g, b] = [frame[at]!, frame[at + 1]!, frame[at + 2]!];
      count += 1;
      if (r <= 24 && g <= 24 && b <= 24) black += 1;
      if (r >= 180 && g <= 60 && b <= 60) red += 1;
      if (Math.max(r, g, b) > 60) coloured += 1;
    }
  }
  return { black: black / count, red: red / count, coloured: coloured / count };
}

export interface ProbedFrame {
  keyFrame: boolean;
  ptsTime: number;
  size: number;
}

/** ffprobe's view of the frames in a file (key flag, time, packet size). */
export async function probeFrames(file: string): Promise<ProbedFrame[]> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'frame=key_frame,pts_time,pkt_size',
    '-of',
    'json',
    file,
  ]);
  const parsed = JSON.parse(stdout) as {
    frames: { key_frame: number; pts_time: string; pkt_size: string }[];
  };
  return parsed.frames.map((f) => ({
    keyFrame: f.key_frame === 1,
    ptsTime: Number(f.pts_time),
    size: Number(f.pkt_size),
  }));
}
