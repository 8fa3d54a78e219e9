/**
 * What the desktop-session suite needs besides the platform (terminal-harness.ts): a real
 * X display (Xvfb) with a window manager that keeps EWMH properties (openbox), X programs
 * driven with xdotool, a tmpfs mounted as "removable" storage, what ingest acknowledged
 * with the segment bytes as sent, and frames decoded from those bytes with ffmpeg.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '@sessionrec/testing';
import type { SpoolItem } from '../src/spool/spool-item';

const run = promisify(execFile);

export const AGENT_BIN = path.resolve(__dirname, '../bin/sessionrec-agent.js');

/** Xvfb on a free display number, with openbox managing its windows. */
export class XDisplay {
  private xvfb: ChildProcess | undefined;
  private wm: ChildProcess | undefined;
  private readonly children: ChildProcess[] = [];
  display = '';

  constructor(
    readonly width = 1280,
    readonly height = 720,
  ) {}

  get env(): NodeJS.ProcessEnv {
    return { ...process.env, DISPLAY: this.display };
  }

  async start(): Promise<void> {
    // Xvfb picks a display number nobody holds and says which (-displayfd).
    const xvfb = spawn(
      'Xvfb',
      ['-displayfd', '1', '-screen', '0', `${this.width}x${this.height}x24`, '-nolisten', 'tcp'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    this.xvfb = xvfb;
    const number = await new Promise<string>((resolve, reject) => {
      let out = '';
      xvfb.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      xvfb.once('exit', (code) => reject(new Error(`Xvfb exited (${code})`)));
    });
    this.display = `:${number}`;
    await waitFor(
      async () =>
        await this.x('xdpyinfo', []).then(
          () => true,
          () => false,
        ),
      30_000,
      `Xvfb on ${this.display}`,
    );
    // Once in a CI run, at the busy start of the integration tests, openbox kept running
    // without output and never took the display; a fresh one is given the same chance.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.startWindowManager();
        return;
      } catch (err) {
        this.wm?.kill('SIGKILL');
        if (attempt === 3) throw err;
      }
    }
  }

  private async startWindowManager(): Promise<void> {
    const wm = spawn('openbox', ['--sm-disable', '--replace'], {
      env: this.env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.wm = wm;
    let wmSaid = '';
    wm.stderr.on('data', (d: Buffer) => (wmSaid += d.toString()));
    try {
      await waitFor(
        async () => (await this.x('xprop', ['-root', '_NET_SUPPORTING_WM_CHECK'])).includes('#'),
        20_000,
        `openbox manages ${this.display}`,
      );
    } catch (err) {
      // Said as things stand when the wait gave up, not when it began.
      const state = wm.exitCode === null ? 'running' : `exited ${wm.exitCode}`;
      throw new Error(`${(err as Error).message} (openbox ${state}: ${wmSaid})`);
    }
  }

  /** Runs an X tool on this display and returns what it printed. */
  async x(file: string, args: string[]): Promise<string> {
    const { stdout } = await run(file, args, { env: this.env, timeout: 15_000 });
    return stdout;
  }

  /** Starts an X program on this display (ended by stop() if still running). */
  spawn(file: string, args: string[]): ChildProcess {
    const child = spawn(file, args, { env: this.env, stdio: 'ignore' });
    this.children.push(child);
    return child;
  }

  /** The managed client window of a process, once the window manager has it. */
  async windowOf(pid: number): Promise<number> {
    let id = 0;
    await waitFor(
      async () => {
        const out = await this.x('xdotool', ['search', '--pid', String(pid)]).catch(() => '');
        const clients = await this.x('xprop', ['-root', '_NET_CLIENT_LIST']);
        for (const line of out.split('\n').filter(Boolean)) {
          const candidate = Number(line);
          if (clients.includes(`0x${candidate.toString(16)}`)) id = candidate;
        }
        return id !== 0;
      },
      20_000,
      `a managed window of pid ${pid}`,
    );
    return id;
  }

  /** The client area of a window, in screen coordinates. */
  async clientRect(id: number): Promise<{ x: number; y: number; width: number; height: number }> {
    const out = await this.x('xwininfo', ['-id', String(id)]);
    const value = (label: string) => Number(new RegExp(`${label}:\\s+(-?\\d+)`).exec(out)?.[1]);
    return {
      x: value('Absolute upper-left X'),
      y: value('Absolute upper-left Y'),
      width: value('Width'),
      height: value('Height'),
    };
  }

  async stop(): Promise<void> {
    for (const child of [...this.children, this.wm, this.xvfb]) {
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        // SIGTERM first: Xvfb then removes its lock file and socket.
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
    }
  }
}

/** A tmpfs mounted at a fresh folder: removable storage as far as the agent can tell. */
export async function mountTmpfs(parent: string, name: string): Promise<string> {
  const dir = path.join(parent, name);
  await mkdir(dir, { recursive: true });
  await run('mount', ['-t', 'tmpfs', '-o', 'size=64m,mode=0777', 'tmpfs', dir]);
  return dir;
}

export async function unmount(dir: string): Promise<void> {
  await run('umount', ['-l', dir]).catch(() => undefined);
}

/** Everything ingest acknowledged for desktop sessions, segments with their bytes. */
export class DesktopAcked {
  readonly sessions: Record<string, unknown>[] = [];
  readonly ends: { sessionId: string; reason: string }[] = [];
  readonly recordings: Record<string, unknown>[] = [];
  readonly stops: { recordingId: string; reason: string }[] = [];
  readonly segments: {
    recordingId: string;
    seq: number;
    kind: string;
    startMs: number;
    endMs: number;
    bytes: Buffer;
  }[] = [];
  readonly events: { type: string; offsetMs: number; attributes: Record<string, unknown> }[] = [];
  readonly metrics: Record<string, number>[] = [];
  /** The session of each sample in `metrics`, at the same index. */
  readonly metricSessions: string[] = [];

  readonly onAcked = (item: SpoolItem) => {
    const body = () => JSON.parse(item.body.toString('utf8')) as Record<string, unknown>;
    switch (item.meta.kind) {
      case 'session-start':
        this.sessions.push(body());
        break;
      case 'session-end':
        this.ends.push({ sessionId: item.meta.lane, reason: String(body().reason) });
        break;
      case 'recording-start':
        this.recordings.push(body());
        break;
      case 'recording-stop':
        this.stops.push({ recordingId: item.meta.recordingId!, reason: String(body().reason) });
        break;
      case 'segment':
        this.segments.push({
          recordingId: item.meta.recordingId!,
          seq: Number(item.meta.path.split('/').pop()),
          kind: item.meta.headers['x-segment-kind'] ?? '',
          startMs: Number(item.meta.headers['x-segment-start-ms']),
          endMs: Number(item.meta.headers['x-segment-end-ms']),
          bytes: Buffer.from(item.body),
        });
        break;
      case 'events':
        this.events.push(
          ...(body() as { events: DesktopAcked['events'] }).events.map((e) => ({
            type: e.type,
            offsetMs: e.offsetMs,
            attributes: e.attributes,
          })),
        );
        break;
      case 'metrics': {
        const { samples } = body() as { samples: Record<string, number>[] };
        this.metrics.push(...samples);
        this.metricSessions.push(...samples.map(() => item.meta.lane));
        break;
      }
    }
  };

  of(type: string): DesktopAcked['events'] {
    return this.events.filter((e) => e.type === type);
  }

  /** The segments of a recording in sequence order. */
  recording(recordingId: string): DesktopAcked['segments'] {
    return this.segments.filter((s) => s.recordingId === recordingId).sort((a, b) => a.seq - b.seq);
  }
}

/** Writes init + media to a file and asks ffprobe how many frames decode, and their size. */
export async function probe(
  parts: readonly Buffer[],
): Promise<{ frames: number; width: number; height: number; codec: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'desktop-probe-'));
  try {
    const file = path.join(dir, 'recording.mp4');
    await writeFile(file, Buffer.concat(parts));
    return await probeInput(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The first video stream of a file or URL, decoded frame by frame (`headers`: HTTP
 * request headers, also sent for an HLS playlist's init and segments).
 */
export async function probeInput(
  input: string,
  headers?: string,
): Promise<{ frames: number; width: number; height: number; codec: string }> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    ...(headers ? ['-headers', headers] : []),
    '-count_frames',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=codec_name,width,height,nb_read_frames',
    '-of',
    'json',
    input,
  ]);
  const stream = (
    JSON.parse(stdout) as {
      streams: { codec_name: string; width: number; height: number; nb_read_frames: string }[];
    }
  ).streams[0]!;
  return {
    frames: Number(stream.nb_read_frames),
    width: stream.width,
    height: stream.height,
    codec: stream.codec_name,
  };
}

/** Presentation time (seconds) of every frame of init + media, in decoding order. */
export async function frameTimes(parts: readonly Buffer[]): Promise<number[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'desktop-times-'));
  try {
    const file = path.join(dir, 'recording.mp4');
    await writeFile(file, Buffer.concat(parts));
    const { stdout } = await run(
      'ffprobe',
      [
        '-v',
        'error',
        '-select_streams',
        'v:0',
        '-show_entries',
        'frame=best_effort_timestamp_time',
        '-of',
        'csv=p=0',
        file,
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    return stdout
      .split('\n')
      .map((line) => Number.parseFloat(line))
      .filter((t) => Number.isFinite(t));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Every frame of init + media as RGB24, each width*height*3 bytes. */
export async function decodeFrames(
  parts: readonly Buffer[],
  width: number,
  height: number,
): Promise<Buffer[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'desktop-frames-'));
  try {
    const file = path.join(dir, 'part.mp4');
    await writeFile(file, Buffer.concat(parts));
    const { stdout } = await run(
      'ffmpeg',
      [
        '-v',
        'error',
        '-i',
        file,
        '-fps_mode',
        'passthrough',
        '-f',
        'rawvideo',
        '-pix_fmt',
        'rgb24',
        '-',
      ],
      { encoding: 'buffer', maxBuffer: 1024 * 1024 * 1024 },
    );
    const size = width * height * 3;
    const frames: Buffer[] = [];
    for (let offset = 0; offset + size <= stdout.length; offset += size) {
      frames.push(stdout.subarray(offset, offset + size));
    }
    return frames;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface RegionStats {
  /** Share of pixels that are (near) black. */
  readonly black: number;
  /** Share of pixels that are clearly red. */
  readonly red: number;
}

/** Colour statistics of a rectangle of an RGB24 frame. */
export function regionStats(
  frame: Buffer,
  width: number,
  rect: { x: number; y: number; width: number; height: number },
): RegionStats {
  let black = 0;
  let red = 0;
  let total = 0;
  for (let y = rect.y; y < rect.y + rect.height; y += 2) {
    for (let x = rect.x; x < rect.x + rect.width; x += 2) {
      const i = (y * width + x) * 3;
      const [r, g, b] = [frame[i]!, frame[i + 1]!, frame[i + 2]!];
      if (r < 40 && g < 40 && b < 40) black += 1;
      if (r > 180 && g < 80 && b < 80) red += 1;
      total += 1;
    }
  }
  return { black: black / total, red: red / total };
}

/**
 * A stand-in for the kernel's /sys with one USB disk to plug in and pull out, laid out as
 * the kernel lays out a usb-storage disk: `block/sdz` is a symlink into the device tree
 * (`devices/pci…/usb2/2-1/…/block/sdz`), whose `device` links to the SCSI device holding
 * vendor and model. It reports `removable` 0, as USB SSDs and many enclosures do, so it is
 * found by its USB device path. The agent reads it with the same code as the real
 * /sys/block (`desktop.sysBlockDir` names the folder); no real USB device can be made on
 * the test machines (see docs/agent-desktop.md, "USB").
 */
export async function fakeSysBlock(parent: string): Promise<{
  dir: string;
  plug: () => Promise<void>;
  pull: () => Promise<void>;
}> {
  const sys = path.join(parent, 'sys');
  const dir = path.join(sys, 'block');
  await mkdir(dir, { recursive: true });
  const scsi = path.join(
    sys,
    'devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0',
  );
  const disk = path.join(scsi, 'block', 'sdz');
  return {
    dir,
    plug: async () => {
      await mkdir(disk, { recursive: true });
      await writeFile(path.join(disk, 'size'), '15728640\n');
      await writeFile(path.join(disk, 'removable'), '0\n');
      await writeFile(path.join(scsi, 'vendor'), 'Testvend\n');
      await writeFile(path.join(scsi, 'model'), 'Stick 8G        \n');
      await symlink('../../../6:0:0:0', path.join(disk, 'device'));
      await symlink(path.relative(dir, disk), path.join(dir, 'sdz'));
    },
    pull: async () => {
      await rm(path.join(dir, 'sdz'), { force: true });
      await rm(path.join(sys, 'devices'), { recursive: true, force: true });
    },
  };
}

/**
 * A stand-in remote-display server (as xrdp's per-connection process or x11vnc would be),
 * in a process of its own, optionally as another user: it accepts TCP clients on `port`
 * (0: any) and echoes what they send; with `display` it is also connected to that X
 * display (a completed X11 connection setup), as a server of the display is.
 */
export async function remoteDisplayServer(
  options: { display?: string; port?: number; uid?: number; gid?: number } = {},
): Promise<{ child: ChildProcess; port: number }> {
  const display = options.display ? Number(/:(\d+)/.exec(options.display)?.[1]) : -1;
  const script = `
    const net = require('net');
    const listen = () => {
      const s = net.createServer((c) => { c.on('error', () => {}); c.on('data', (d) => c.write(d)); });
      s.listen(${options.port ?? 0}, '127.0.0.1', () => console.log(s.address().port));
    };
    if (${display} < 0) listen();
    else {
      const x = net.connect('/tmp/.X11-unix/X${display}');
      x.on('error', (e) => { console.error('X: ' + e.message); process.exit(2); });
      x.on('connect', () => {
        const setup = Buffer.alloc(12);
        setup.write('l', 0); setup.writeUInt16LE(11, 2);
        x.write(setup);
      });
      x.once('data', (d) => { if (d[0] !== 1) { console.error('X refused'); process.exit(3); } listen(); });
    }`;
  const child = spawn(process.execPath, ['-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid ?? options.uid } : {}),
  });
  let said = '';
  child.stderr.on('data', (d: Buffer) => (said += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve({ child, port: Number(String(d).trim()) }));
    child.once('exit', (code) =>
      reject(new Error(`display server stand-in exited ${code}: ${said}`)),
    );
  });
}

/** A TCP client of a stand-in server that can tell whether it is still connected (echo). */
export async function remoteClient(
  port: number,
  /** The client's own address (any of 127.0.0.0/8 on loopback). */
  localAddress?: string,
): Promise<{
  socket: net.Socket;
  closed: Promise<string>;
  echoes: () => Promise<boolean>;
}> {
  const socket = net.connect({
    port,
    host: '127.0.0.1',
    ...(localAddress ? { localAddress } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  let error = '';
  socket.on('data', () => undefined); // flowing: what the server echoes is read and dropped
  socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
  const closed = new Promise<string>((resolve) =>
    socket.once('close', () => resolve(error || 'closed')),
  );
  const echoes = () =>
    new Promise<boolean>((resolve) => {
      if (socket.destroyed) return resolve(false);
      const probe = `ping-${Math.random()}`;
      let got = '';
      const onData = (d: Buffer) => {
        got += d.toString();
        if (got.includes(probe)) done(true);
      };
      const done = (ok: boolean) => {
        socket.off('data', onData);
        clearTimeout(timer);
        resolve(ok);
      };
      const timer = setTimeout(() => done(false), 5000);
      socket.on('data', onData);
      socket.write(probe);
    });
  return { socket, closed, echoes };
}
