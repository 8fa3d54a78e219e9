/**
 * `npm run bench`: runs the registered benchmarks against services on this machine only
 * (NATS at NATS_URL, default 127.0.0.1:4222; S3 at S3_ENDPOINT or a test server it
 * starts), prints a table and writes bench/results/<timestamp>.json and latest.json.
 *
 *   npm run bench [-- --only name[,name]] [--seconds N]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type BenchContext, type BenchS3, type ResultRow } from './benchmark';
import { assertLoopbackUrl } from './loopback';
import { Progress } from './progress';
import { BENCHMARKS } from './registry';
import {
  type BenchmarkOutcome,
  formatTable,
  machineInfo,
  type RunReport,
  writeReport,
} from './report';
import { type RunningS3Server, startS3Server } from './s3-server';

// The SDK warns once per process that Node 20 support ends in 2027; it is noise in a report.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results');

interface Args {
  only?: string[];
  seconds: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { seconds: Number(process.env.BENCH_SECONDS ?? 10) };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only') args.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--seconds') args.seconds = Number(argv[++i]);
    else throw new Error(`Unknown argument ${String(a)} (use --only a,b and --seconds N)`);
  }
  if (!Number.isFinite(args.seconds) || args.seconds <= 0 || args.seconds > 300) {
    throw new Error('--seconds must be between 0 and 300');
  }
  const known = new Set(BENCHMARKS.map((b) => b.name));
  for (const name of args.only ?? []) {
    if (!known.has(name)) throw new Error(`Unknown benchmark ${name}: ${[...known].join(', ')}`);
  }
  return args;
}

function s3FromEnv(): BenchS3 | undefined {
  const endpoint = process.env.S3_ENDPOINT;
  if (!endpoint) return undefined;
  return {
    endpoint: assertLoopbackUrl('S3_ENDPOINT', endpoint),
    region: process.env.S3_REGION ?? 'us-east-1',
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'S3RVER',
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'S3RVER',
    },
    ephemeral: false,
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const natsUrl = assertLoopbackUrl('NATS_URL', process.env.NATS_URL ?? 'nats://127.0.0.1:4222');
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), 'sessionrec-bench-'));
  const progress = new Progress();
  let server: RunningS3Server | undefined;
  let s3Pending: Promise<BenchS3> | undefined;
  const previous = new Map<string, ResultRow[]>();
  const ctx: BenchContext = {
    progress: (text) => progress.update(text),
    durationMs: args.seconds * 1000,
    natsUrl,
    previous,
    tmpDir,
    s3: () => {
      s3Pending ??= (async () => {
        const fromEnv = s3FromEnv();
        if (fromEnv) return fromEnv;
        progress.update('starting the S3 test server');
        server = await startS3Server(REPO_ROOT, await mkdtemp(path.join(tmpDir, 's3rver-')));
        return server;
      })();
      return s3Pending;
    },
  };

  const report: RunReport = {
    startedAt: new Date().toISOString(),
    machine: machineInfo(),
    benchmarks: [],
  };
  try {
    for (const bench of BENCHMARKS) {
      if (args.only && !args.only.includes(bench.name)) continue;
      progress.update(`${bench.name}: starting`);
      const started = Date.now();
      const outcome: BenchmarkOutcome = {
        name: bench.name,
        description: bench.description,
        durationMs: 0,
        rows: [],
      };
      try {
        outcome.rows = await bench.run(ctx);
        previous.set(bench.name, outcome.rows);
      } catch (err) {
        outcome.error = err instanceof Error ? err.message : String(err);
        process.exitCode = 1;
      }
      outcome.durationMs = Date.now() - started;
      report.benchmarks.push(outcome);
      progress.finish(
        `${bench.name}: ${outcome.error ? `failed: ${outcome.error}` : 'done'} (${(outcome.durationMs / 1000).toFixed(1)} s)`,
      );
    }
  } finally {
    await server?.stop();
    await rm(tmpDir, { recursive: true, force: true });
  }
  process.stdout.write(formatTable(report));
  const file = await writeReport(RESULTS_DIR, report);
  process.stderr.write(
    `results: ${path.relative(process.cwd(), file)} and bench/results/latest.json\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
