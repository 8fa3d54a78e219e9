/**
 * Screen capture on a real X server (Xvfb) with real X programs (xterm, xdotool) and the
 * real ffmpeg: one init then media segments that each start on a keyframe and play after
 * that init, a masked window black in the decoded frames while it was red before, far
 * fewer bytes for an idle screen than a busy one, ffmpeg killed mid-recording and brought
 * back on the same init, and a clean stop that delivers the last segment.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '@sessionrec/testing';
import { type CapturedSegment, ScreenCapture } from '../src/desktop/capture';
import { parseFragment } from '../src/media/fmp4';
import { Xvfb, decodeRgbFrames, probeFrames, regionColours } from './desktop-capture-x11';

const WIDTH = 1280;
const HEIGHT = 720;

describe('desktop screen capture (Xvfb, xterm, ffmpeg)', () => {
  let x: Xvfb;
  let dir: string;
  const started = Date.now();
  const clock = () => Date.now() - started;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'capture-'));
    x = await Xvfb.start(WIDTH, HEIGHT);
  });

  afterAll(async () => {
    await x?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  function collect(capture: ScreenCapture) {
    const segments: CapturedSegment[] = [];
    const errors: Error[] = [];
    capture.onSegment((segment) => {
      segments.push({ ...segment, bytes: Buffer.from(segment.bytes) });
    });
    capture.onError((error) => errors.push(error));
    return { segments, errors };
  }

  /** The last frame of the last segment so far, decoded. */
  async function lastFrame(segments: readonly CapturedSegment[]): Promise<Buffer> {
    const file = await writeRecording('last.mp4', [segments[0]!, segments[segments.length - 1]!]);
    const frames = await decodeRgbFrames(file, WIDTH, HEIGHT);
    return frames[frames.length - 1]!;
  }

  async function writeRecording(name: string, segments: readonly CapturedSegment[]) {
    const file = path.join(dir, name);
    await writeFile(file, Buffer.concat(segments.map((s) => s.bytes)));
    return file;
  }

  it('records one init and keyframe-first segments; a masked window is black; idle costs almost nothing', async () => {
    const stopFlag = path.join(dir, 'stop-typing');
    // The excluded application: a red window. Beside it, a blue terminal that keeps printing.
    await x.xterm({
      title: 'secret-app',
      background: 'red',
      x: 40,
      y: 40,
      columns: 50,
      rows: 15,
      command: 'sleep 100000',
    });
    await x.xterm({
      title: 'busy-term',
      background: 'blue',
      x: 640,
      y: 40,
      columns: 60,
      rows: 30,
      command: `while [ ! -e ${stopFlag} ]; do date +%s.%N; sleep 0.05; done; sleep 100000`,
    });
    const secret = await x.geometry('secret-app');
    const busy = await x.geometry('busy-term');

    const capture = new ScreenCapture({
      display: x.display,
      frameRate: 5,
      quality: 'medium',
      segmentSeconds: 2,
      // No idle heartbeat frames within the test: an unchanged screen sends nothing at all.
      idleSegmentSeconds: 3600,
      workDir: dir,
      clock,
    });
    const { segments, errors } = collect(capture);
    await capture.start([]);
    expect(segments.map((s) => s.kind)).toEqual(['init']);

    await waitFor(() => segments.length >= 3, 30_000, 'two unmasked media segments');
    await capture.setMasks([secret]);
    const maskedFrom = segments.length;
    await waitFor(() => segments.length >= maskedFrom + 2, 30_000, 'two masked segments');

    // Busy: count the bytes of the segments cut while the terminal printed.
    const activeFrom = segments.length;
    const activeStart = clock();
    await waitFor(() => segments.length >= activeFrom + 2, 30_000, 'two more busy segments');
    const activeMs = clock() - activeStart;
    await writeFile(stopFlag, '');
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the last line printed
    const idleStart = clock();
    await new Promise((resolve) => setTimeout(resolve, Math.max(activeMs, 4000)));
    const idleMs = clock() - idleStart;
    // A last change (the pointer moves) that only stop can deliver: its segment is open.
    await x.xdotool('mousemove', '600', '600');
    await new Promise((resolve) => setTimeout(resolve, 600));
    const beforeStop = segments.length;
    await capture.stop();
    expect(errors).toEqual([]);
    expect(segments.length).toBe(beforeStop + 1);

    // One init, first; media after it, each on a keyframe, in time order.
    expect(segments[0]!.kind).toBe('init');
    expect(segments.slice(1).every((s) => s.kind === 'media')).toBe(true);
    let previous = segments[0]!;
    let previousDecode = -1;
    for (const segment of segments.slice(1)) {
      expect(segment.startMs).toBeGreaterThanOrEqual(previous.startMs);
      expect(segment.endMs).toBeGreaterThanOrEqual(segment.startMs);
      const info = parseFragment(Buffer.from(segment.bytes));
      expect(info.startsWithKeyframe).toBe(true);
      expect(info.baseMediaDecodeTime).toBeGreaterThan(previousDecode);
      previousDecode = info.baseMediaDecodeTime;
      previous = segment;
      // ffprobe agrees: the segment alone, after the init, starts with a key frame.
      const single = await writeRecording('single.mp4', [segments[0]!, segment]);
      const frames = await probeFrames(single);
      expect(frames.length).toBeGreaterThan(0);
      expect(frames[0]!.keyFrame).toBe(true);
    }

    // The whole recording plays: init + every segment decodes without an error.
    const whole = await writeRecording('whole.mp4', segments);
    const allFrames = await probeFrames(whole);
    expect(allFrames.length).toBeGreaterThan(10);

    // Red in the first frames, black once masked; the busy terminal never black.
    const [firstFrame] = await decodeRgbFrames(
      await writeRecording('first.mp4', [segments[0]!, segments[1]!]),
      WIDTH,
      HEIGHT,
    );
    expect(regionColours(firstFrame!, WIDTH, secret).red).toBeGreaterThan(0.8);
    for (const index of [maskedFrom + 1, segments.length - 1]) {
      const frames = await decodeRgbFrames(
        await writeRecording(`masked-${index}.mp4`, [segments[0]!, segments[index]!]),
        WIDTH,
        HEIGHT,
      );
      for (const frame of frames) {
        const masked = regionColours(frame, WIDTH, secret);
        expect(masked.black).toBe(1);
        expect(regionColours(frame, WIDTH, busy).coloured).toBeGreaterThan(0.5);
      }
    }

    // Idle vs busy over comparable stretches of the recording (frame times mapped to the
    // session clock through the first segment): the idle screen sent next to nothing.
    const base = segments[1]!.startMs;
    const bytesBetween = (from: number, ms: number) =>
      allFrames
        .filter((f) => base + f.ptsTime * 1000 >= from && base + f.ptsTime * 1000 < from + ms)
        .reduce((sum, f) => sum + f.size, 0);
    const activeBytes = bytesBetween(activeStart, activeMs);
    const idleBytes = bytesBetween(idleStart, idleMs);
    expect(activeBytes).toBeGreaterThan(10_000);
    expect((idleBytes / idleMs) * 20).toBeLessThan(activeBytes / activeMs);
  });

  it('brings ffmpeg back after it is killed, on the same init, and the recording still plays', async () => {
    await x.xdotool('mousemove', '10', '10');
    await x.xterm({
      title: 'late-secret',
      background: 'red',
      x: 300,
      y: 400,
      columns: 30,
      rows: 8,
      command: 'sleep 100000',
    });
    const secret = await x.geometry('late-secret');
    const capture = new ScreenCapture({
      display: x.display,
      frameRate: 5,
      quality: 'low',
      segmentSeconds: 1,
      workDir: dir,
      clock,
    });
    const { segments, errors } = collect(capture);
    await capture.start([{ x: 0, y: 0, width: 64, height: 64 }]);
    const move = setInterval(() => {
      void x.xdotool('mousemove', String(100 + (Date.now() % 500)), '300').catch(() => undefined);
    }, 100);
    try {
      await waitFor(() => segments.length >= 3, 30_000, 'segments before the kill');
      expect(regionColours(await lastFrame(segments), WIDTH, secret).red).toBeGreaterThan(0.8);
      const firstPid = capture.ffmpegPid!;
      process.kill(firstPid, 'SIGKILL');
      // A mask change while ffmpeg dies reaches the new ffmpeg and is in force there.
      await capture.setMasks([{ x: 0, y: 0, width: 64, height: 64 }, secret]);
      await waitFor(() => errors.length >= 1, 10_000, 'the error event');
      expect(errors[0]!.message).toMatch(/ffmpeg died/);
      const afterKill = segments.length;
      await waitFor(() => segments.length >= afterKill + 2, 30_000, 'segments after the restart');
      expect(capture.ffmpegPid).not.toBe(firstPid);
      expect(regionColours(await lastFrame(segments), WIDTH, secret).black).toBe(1);
    } finally {
      clearInterval(move);
      await capture.stop();
    }
    // Only the death: no InitChangedError, the restarted init was byte-identical.
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/^ffmpeg died/)]);
    expect(segments.filter((s) => s.kind === 'init')).toHaveLength(1);
    let previousDecode = -1;
    let previousSequence = 0;
    for (const segment of segments.slice(1)) {
      const info = parseFragment(Buffer.from(segment.bytes));
      expect(info.baseMediaDecodeTime).toBeGreaterThan(previousDecode);
      expect(info.sequenceNumber).toBe(previousSequence + 1);
      previousDecode = info.baseMediaDecodeTime;
      previousSequence = info.sequenceNumber;
    }
    const frames = await probeFrames(await writeRecording('restarted.mp4', segments));
    expect(frames.length).toBeGreaterThan(5);
    for (let i = 1; i < frames.length; i += 1) {
      expect(frames[i]!.ptsTime).toBeGreaterThan(frames[i - 1]!.ptsTime);
    }
  });

  it('cuts a segment that reaches its byte cap by restarting ffmpeg on the same init', async () => {
    const cap = 200_000;
    const capture = new ScreenCapture({
      display: x.display,
      frameRate: 10,
      quality: 'high',
      // Far more frames than the test makes: every cut here is a byte-cap cut.
      segmentSeconds: 300,
      maxSegmentBytes: cap,
      workDir: dir,
      clock,
    });
    const { segments, errors } = collect(capture);
    await capture.start([]);
    // The busy terminal of the first test is stopped: make the screen change everywhere.
    const flip = setInterval(() => {
      const colour = Date.now() % 2 === 0 ? 'magenta' : 'cyan';
      void x
        .xterm({
          title: `flip-${Date.now()}`,
          background: colour,
          x: 0,
          y: 0,
          columns: 200,
          rows: 60,
          command: 'ls -la /usr/bin | head -80; sleep 1',
        })
        .catch(() => undefined);
    }, 400);
    try {
      await waitFor(() => segments.length >= 4, 60_000, 'three byte-cap cuts');
    } finally {
      clearInterval(flip);
      await capture.stop();
    }
    expect(errors).toEqual([]);
    expect(segments.filter((s) => s.kind === 'init')).toHaveLength(1);
    for (const segment of segments.slice(1)) {
      expect(parseFragment(Buffer.from(segment.bytes)).startsWithKeyframe).toBe(true);
      // The cap, plus at most the piece (cap / 8) and the last frames flushed at the cut.
      expect(segment.bytes.length).toBeLessThan(cap * 3);
    }
    const frames = await probeFrames(await writeRecording('capped.mp4', segments));
    expect(frames.filter((f) => f.keyFrame).length).toBe(segments.length - 1);
  });

  it('says clearly when the display cannot be captured, and leaves nothing behind', async () => {
    const capture = new ScreenCapture({
      display: ':64999',
      frameRate: 5,
      quality: 'medium',
      segmentSeconds: 2,
      workDir: dir,
      clock,
    });
    await expect(capture.start([])).rejects.toThrow(/could not start capturing :64999/);
  });

  it('refuses malformed masks before anything reaches ffmpeg', async () => {
    const capture = new ScreenCapture({
      display: x.display,
      frameRate: 5,
      quality: 'medium',
      segmentSeconds: 2,
      workDir: dir,
      clock,
    });
    await expect(capture.start([{ x: Number.NaN, y: 0, width: 1, height: 1 }])).rejects.toThrow(
      /masks/,
    );
    await expect(capture.setMasks([{ x: 0, y: 0, width: -5, height: 1 }])).rejects.toThrow(/masks/);
    expect(
      () =>
        new ScreenCapture({
          display: 'not a display',
          frameRate: 5,
          quality: 'medium',
          segmentSeconds: 2,
          workDir: dir,
          clock,
        }),
    ).toThrow(/display/);
  });
});
