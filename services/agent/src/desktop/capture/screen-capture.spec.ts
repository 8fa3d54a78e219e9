/**
 * ScreenCapture's restart decisions, with a stand-in for ffmpeg (a script given as
 * ffmpegPath) that replays the desktop fixtures, can change its init, and dies on cue:
 * a changed init after a restart stops capture with InitChangedError; too many deaths in
 * a minute give CaptureFailedError. The real ffmpeg paths are in desktop-capture.int-spec.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_DESKTOP_FIXTURES } from '../../media/desktop-fixtures';
import { ScreenCapture } from './screen-capture';
import { CaptureFailedError, type CapturedSegment, InitChangedError } from './types';

interface Run {
  changedInit: boolean;
  fragments: number;
}

/** A fake ffmpeg: run n of the plan writes an init and fragments, then dies (exit 1). */
const FAKE_FFMPEG = `#!${process.execPath}
const fs = require('fs');
const net = require('net');
const planFile = __filename + '.json';
const plan = JSON.parse(fs.readFileSync(planFile, 'utf8'));
const run = plan.runs[plan.next] || plan.runs[plan.runs.length - 1];
plan.next += 1;
fs.writeFileSync(planFile, JSON.stringify(plan));
const args = process.argv.slice(2);
const socketPath = /ipc\\\\:\\/\\/(\\/[^']+)'/.exec(args[args.indexOf('-vf') + 1])[1];
try { fs.unlinkSync(socketPath); } catch {}
const server = net.createServer(() => {}).listen(socketPath, () => {
  const init = fs.readFileSync(plan.fixtures + '/init.mp4');
  if (run.changedInit) init[init.length - 1] ^= 0xff;
  process.stdout.write(init);
  let written = 0;
  const next = () => {
    if (written === run.fragments) {
      setTimeout(() => process.exit(1), 100);
      return;
    }
    written += 1;
    const name = String(written).padStart(4, '0') + '.m4s';
    process.stdout.write(fs.readFileSync(plan.fixtures + '/' + name), () => setTimeout(next, 50));
  };
  setTimeout(next, 50);
});
`;

describe('screen capture restarts (stand-in ffmpeg)', () => {
  let dir: string;
  let fake: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'capture-spec-'));
    fake = path.join(dir, 'ffmpeg');
    await writeFile(fake, FAKE_FFMPEG);
    await chmod(fake, 0o755);
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function capture(runs: Run[]) {
    await writeFile(
      `${fake}.json`,
      JSON.stringify({ fixtures: DEFAULT_DESKTOP_FIXTURES, next: 0, runs }),
    );
    const started = Date.now();
    const screen = new ScreenCapture({
      display: ':0',
      // The fixtures are 10 fps, 6-second segments.
      frameRate: 10,
      quality: 'medium',
      segmentSeconds: 6,
      workDir: dir,
      clock: () => Date.now() - started,
      ffmpegPath: fake,
    });
    const segments: CapturedSegment[] = [];
    const errors: Error[] = [];
    let stopped: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (stopped = resolve));
    screen.onSegment((segment) => {
      segments.push(segment);
    });
    screen.onError((error) => {
      errors.push(error);
      if (error instanceof InitChangedError || error instanceof CaptureFailedError) stopped();
    });
    await screen.start([]);
    return { screen, segments, errors, done };
  }

  it('stops with InitChangedError when a restarted ffmpeg writes another init', async () => {
    const { screen, segments, errors, done } = await capture([
      { changedInit: false, fragments: 2 },
      { changedInit: true, fragments: 2 },
    ]);
    await done;
    await screen.stop();
    expect(errors.map((e) => e.name)).toEqual(['Error', 'InitChangedError']);
    expect(errors[0]!.message).toMatch(/ffmpeg died/);
    // One init; the media of the first run; nothing after the other init.
    expect(segments.map((s) => s.kind)).toEqual(['init', 'media', 'media']);
    const firstInit = await readFile(path.join(DEFAULT_DESKTOP_FIXTURES, 'init.mp4'));
    expect(Buffer.from(segments[0]!.bytes).equals(firstInit)).toBe(true);
  });

  it('goes on after the same init, and gives up after ffmpeg died four times in a minute', async () => {
    const { screen, segments, errors, done } = await capture([
      { changedInit: false, fragments: 1 },
      { changedInit: false, fragments: 1 },
    ]);
    await done;
    await screen.stop();
    expect(errors.map((e) => e.name)).toEqual(['Error', 'Error', 'Error', 'CaptureFailedError']);
    expect(segments.filter((s) => s.kind === 'init')).toHaveLength(1);
    // Each run's segment is placed after the one before on the recording's timeline.
    const media = segments.filter((s) => s.kind === 'media');
    expect(media).toHaveLength(4);
    for (let i = 1; i < media.length; i += 1) {
      expect(media[i]!.startMs).toBeGreaterThanOrEqual(media[i - 1]!.endMs);
    }
  });
});
