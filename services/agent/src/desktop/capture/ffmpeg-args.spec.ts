import { QUALITY_SETTINGS, cadence, ffmpegArgs, filterGraph } from './ffmpeg-args';
import { SLOT_COUNT, initialSlots } from './masks';
import { screenCaptureOptions } from './types';

const run = {
  display: ':99',
  frameRate: 5,
  quality: 'medium' as const,
  segmentSeconds: 10,
  idleSegmentSeconds: 600,
  commandSocket: '/run/user/1000/sessionrec/capture-1/commands.sock',
  slots: initialSlots([{ x: 10, y: 20, width: 30, height: 40 }]),
  maxSegmentBytes: 12 * 1024 * 1024,
};

function valueOf(args: string[], flag: string): string | undefined {
  const at = args.indexOf(flag);
  return at >= 0 ? args[at + 1] : undefined;
}

describe('capture cadence', () => {
  it('cuts a segment after frameRate × segmentSeconds frames of activity', () => {
    expect(cadence(5, 10, 600).framesPerSegment).toBe(50);
    expect(cadence(30, 4, 600).framesPerSegment).toBe(120);
    expect(cadence(1, 0.2, 600).framesPerSegment).toBe(1);
  });

  it('lets one frame through an idle run often enough to close a segment within idleSegmentSeconds', () => {
    for (const [fps, seconds, idle] of [
      [5, 10, 600],
      [30, 6, 300],
      [1, 10, 60],
    ] as const) {
      const { framesPerSegment, maxDroppedFrames } = cadence(fps, seconds, idle);
      // One frame passes after every maxDroppedFrames dropped ones.
      const idleSegment = (framesPerSegment * (maxDroppedFrames + 1)) / fps;
      expect(idleSegment).toBeLessThanOrEqual(idle * 1.05);
      expect(maxDroppedFrames).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('ffmpeg arguments', () => {
  it('maps policy quality to x264 rate factors, sharper for higher quality', () => {
    for (const quality of ['low', 'medium', 'high'] as const) {
      const args = ffmpegArgs({ ...run, quality });
      expect(valueOf(args, '-crf')).toBe(String(QUALITY_SETTINGS[quality].crf));
      expect(valueOf(args, '-maxrate')).toBe(`${QUALITY_SETTINGS[quality].maxrateKbps}k`);
    }
    expect(QUALITY_SETTINGS.high.crf).toBeLessThan(QUALITY_SETTINGS.medium.crf);
    expect(QUALITY_SETTINGS.medium.crf).toBeLessThan(QUALITY_SETTINGS.low.crf);
  });

  it('grabs the display at the frame rate and keys by frame count with no scene cuts', () => {
    const args = ffmpegArgs(run);
    expect(valueOf(args, '-f')).toBe('x11grab');
    expect(valueOf(args, '-i')).toBe(':99');
    expect(valueOf(args, '-framerate')).toBe('5');
    expect(valueOf(args, '-g')).toBe('50');
    expect(valueOf(args, '-sc_threshold')).toBe('0');
    expect(valueOf(args, '-fps_mode')).toBe('vfr');
    expect(valueOf(args, '-movflags')).toContain('frag_keyframe');
    expect(valueOf(args, '-movflags')).toContain('empty_moov');
    // Busy stretches leave ffmpeg in pieces well below the segment cap.
    expect(valueOf(args, '-frag_size')).toBe(String(1024 * 1024));
    expect(valueOf(ffmpegArgs({ ...run, maxSegmentBytes: 200_000 }), '-frag_size')).toBe('25000');
    expect(args[args.length - 1]).toBe('pipe:1');
  });

  it('masks before frames are compared and encoded, with the command socket quoted', () => {
    const graph = filterGraph(run);
    const filters = graph.split(',');
    expect(filters[0]).toBe(
      "zmq=bind_address='ipc\\://" + '/run/user/1000/sessionrec/capture-1/commands.sock' + "'",
    );
    const firstBox = filters.findIndex((f) => f.startsWith('drawbox@m0='));
    const decimate = filters.findIndex((f) => f.startsWith('mpdecimate='));
    expect(firstBox).toBeGreaterThan(0);
    expect(decimate).toBeGreaterThan(firstBox);
    expect(filters.filter((f) => f.startsWith('drawbox@'))).toHaveLength(SLOT_COUNT);
    expect(filters[firstBox]).toBe('drawbox@m0=x=10:y=20:w=30:h=40:t=fill:c=black:enable=1');
    expect(filters[firstBox + 1]).toContain('enable=0');
  });

  it('depends only on its settings, so a restarted run has the same arguments', () => {
    expect(ffmpegArgs(run)).toEqual(ffmpegArgs({ ...run }));
  });

  it('refuses a command socket it cannot quote', () => {
    expect(() => filterGraph({ ...run, commandSocket: "/tmp/it's" })).toThrow(/cannot quote/);
  });
});

describe('capture options', () => {
  const good = {
    display: ':99',
    frameRate: 5,
    quality: 'medium',
    segmentSeconds: 10,
    workDir: '/tmp/capture',
    clock: () => 0,
  };

  it('accepts what the desktop session passes', () => {
    expect(screenCaptureOptions.safeParse(good).success).toBe(true);
  });

  it.each([
    ['display', 'localhost'],
    ['display', ':0; rm -rf /'],
    ['frameRate', 0],
    ['frameRate', 31],
    ['frameRate', 2.5],
    ['quality', 'ultra'],
    ['segmentSeconds', 0],
    ['workDir', 'relative/dir'],
    ['workDir', "/tmp/it's"],
    ['workDir', '/tmp/a:b'],
    ['workDir', `/${'a'.repeat(100)}`],
    ['clock', 5],
  ])('refuses %s = %p', (key, value) => {
    expect(screenCaptureOptions.safeParse({ ...good, [key]: value }).success).toBe(false);
  });
});
