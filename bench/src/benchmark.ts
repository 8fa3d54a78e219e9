/**
 * What a benchmark module is. Each issue that has a speed or memory target adds a module
 * to registry.ts; main.ts runs them in turn and reports every row the same way.
 */

export interface ResultRow {
  /** What was measured, e.g. "publish rate (1 KiB, window 256)". */
  figure: string;
  value: number;
  /** "msgs/s", "MB/s", "ms", "MiB"... */
  unit: string;
  /** A target or limit the figure is compared with, in the same unit. */
  limit?: number;
  /** value / a baseline (e.g. a service's rate over the raw JetStream rate). */
  ratio?: number;
}

export interface BenchContext {
  /** One progress line on stderr; cheap to call often. */
  progress(text: string): void;
  /** Upper bound of the measuring phase of one benchmark. */
  readonly durationMs: number;
  readonly natsUrl: string;
  /** Results of benchmarks that ran before, by benchmark name, for ratios. */
  readonly previous: ReadonlyMap<string, readonly ResultRow[]>;
  /** A scratch directory, removed after the run. */
  readonly tmpDir: string;
  /** An S3 endpoint on this machine: S3_ENDPOINT, or a test server started on first use. */
  s3(): Promise<BenchS3>;
}

export interface BenchS3 {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** A server this run started in a temp directory: its data goes with it, no need to delete. */
  ephemeral: boolean;
}

export interface Benchmark {
  /** Stable id, used by --only and in the JSON output. */
  readonly name: string;
  readonly description: string;
  run(ctx: BenchContext): Promise<ResultRow[]>;
}

/** Per-second rate, guarding against a zero-length interval. */
export function rate(count: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (count * 1000) / elapsedMs : 0;
}

/** Runs `task(i)` for i = 0.. with at most `concurrency` in flight, until `count` or `deadline`. */
export async function runBounded(
  count: number,
  concurrency: number,
  deadline: number,
  task: (i: number) => Promise<void>,
  onDone?: (done: number) => void,
): Promise<number> {
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < count && Date.now() < deadline) {
      const i = next++;
      await task(i);
      done += 1;
      onDone?.(done);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done;
}
