/**
 * The agent side of the desktop-capture benchmark, run as its own Node process so its CPU
 * and memory (with its ffmpeg child) are measured apart from the benchmark driving the
 * display: the built ScreenCapture of services/agent, loaded from its dist at run time
 * (benchmarks never import services' sources). It reports on stdout as JSON lines:
 * ready (with the ffmpeg pid), each segment's kind and size, each mask change's latency
 * (setMasks call to ffmpeg's reply), stopped. stdin takes JSON lines: masks, stop. The
 * recording (init + segments) is written to <outFile> for the benchmark to read back.
 *
 *   node desktop-capture-agent.js <display> <frameRate> <quality> <segmentSeconds> <workDir> <outFile>
 */
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

interface CaptureModule {
  ScreenCapture: new (options: {
    display: string;
    frameRate: number;
    quality: 'low' | 'medium' | 'high';
    segmentSeconds: number;
    workDir: string;
    clock: () => number;
    log?: (line: string) => void;
  }) => {
    start(masks: readonly Rect[]): Promise<void>;
    setMasks(masks: readonly Rect[]): Promise<void>;
    stop(): Promise<void>;
    onSegment(listener: (s: { kind: string; bytes: Uint8Array }) => void): void;
    onError(listener: (error: Error) => void): void;
    readonly ffmpegPid: number | undefined;
  };
}

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const CAPTURE_MODULE = path.resolve(
  __dirname,
  '../../../services/agent/dist/desktop/capture/index.js',
);

function say(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

async function main(): Promise<void> {
  const [display, frameRate, quality, segmentSeconds, workDir, outFile] = process.argv.slice(2);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ScreenCapture } = require(CAPTURE_MODULE) as CaptureModule;
  const started = Date.now();
  const capture = new ScreenCapture({
    display: display!,
    frameRate: Number(frameRate),
    quality: quality as 'low' | 'medium' | 'high',
    segmentSeconds: Number(segmentSeconds),
    workDir: workDir!,
    clock: () => Date.now() - started,
  });
  capture.onSegment((segment) => {
    appendFileSync(outFile!, segment.bytes);
    say({ t: 'segment', kind: segment.kind, bytes: segment.bytes.length });
  });
  capture.onError((error) => say({ t: 'error', message: error.message }));
  await capture.start([]);
  say({ t: 'ready', ffmpegPid: capture.ffmpegPid });
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    const message = JSON.parse(line) as { t: 'masks'; masks: Rect[] } | { t: 'stop' };
    if (message.t === 'masks') {
      const at = process.hrtime.bigint();
      await capture.setMasks(message.masks);
      say({ t: 'masked', ms: Number(process.hrtime.bigint() - at) / 1e6 });
    } else {
      await capture.stop();
      say({ t: 'stopped' });
      break;
    }
  }
  lines.close();
}

if (require.main === module) {
  main().catch((error: unknown) => {
    say({ t: 'error', message: (error as Error).message });
    process.exitCode = 1;
  });
}
