/**
 * What one ingest process sustains, beside the raw figures of the same run:
 *
 * 1. Saturation: segment uploads (~100 KB, 16 in flight, like the raw PUT baseline)
 *    through the real protocol — auth, hash checks, putIfAbsent, catalogue row, JetStream
 *    announcement — in rounds alternating with raw putIfAbsent of the same store (target
 *    ≥ 90 % of it) and with the HTTP + store floor, a bare node:http server (another
 *    process) that only stores each body as ingest does: the rate any HTTP upload path
 *    reaches here, and ingest's rate as a share of it. Beside them, the whole machine's
 *    CPU per segment and what the target allows on these cores.
 * 2. Sustained sessions: the agent simulator (a child process) drives N concurrent
 *    sessions at realistic rates (a segment every 6 s, two event batches a second,
 *    metrics), and we report segments/s, MB/s, events/s, p50/p99 acknowledgement latency
 *    and the ingest process's CPU and peak RSS (target: 2,000 sessions with p99 < 100 ms).
 *
 * Sizes: BENCH_INGEST_SESSIONS (comma-separated, default "250,1000,2000") and
 * BENCH_INGEST_SECONDS (simulated session length, default 30).
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { type BenchContext, type Benchmark, type ResultRow, rate } from '../benchmark';
import { IngestHarness } from '../harness/ingest-harness';
import { assertLoopbackUrl } from '../loopback';
import { CpuSampler, machineBusyMs } from '../harness/service-process';
import { commandCpuMs, commandCpuSince, threadCpuMs } from '../harness/cpu-breakdown';
import { UploadFloorServer } from '../harness/upload-floor';
import { flushPageCache } from '../harness/page-cache';
import {
  createObjectStore,
  initSegmentKey,
  type ObjectStore,
  s3SettingsFromEnv,
  segmentKey,
} from '@sessionrec/storage';
import {
  bucketPercentileMs,
  parseDurationBuckets,
  parseHistogramBuckets,
  scrapeMetrics,
} from '../harness/prometheus';
import { percentile } from '../harness/quantiles';
import { cycleRatios, type Round } from '../harness/cycle-ratios';

const run = promisify(execFile);
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const SEGMENT_BYTES = 100 * 1000;
const CONCURRENCY = 16;
/**
 * Saturation's raw, floor, ingest, ingest, floor, raw rounds, repeated: one such cycle
 * cancels a steady drift of the VM's speed, not its swings (raw PUT went from 1,234 to
 * 2,508 objects/s within one phase), which shorter rounds repeated across the phase
 * spread over all three figures alike. Six cycles: enough for a median that one stalled
 * cycle does not move.
 */
const SATURATION_CYCLES = 6;
/** The agent protocol's routes, enrolment aside (it is not on the hot path). */
const AGENT_ROUTES = /^\/agent\/v1\/(sessions|recordings|batches)/;

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function call(url: string, credential: string, method: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
}

interface Answer {
  status: number;
  text: string;
}

/**
 * One request over a kept-alive connection with node:http, as the agent sends them: the
 * client shares the machine with ingest, and fetch took about twice the CPU per upload.
 */
function send(
  agent: http.Agent,
  method: string,
  url: string,
  headers: http.OutgoingHttpHeaders,
  body: string | Buffer,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method, agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A segment body and its SHA-256, made before the measuring starts. */
interface Body {
  bytes: Buffer;
  sha256: string;
}

/**
 * Distinct ~100 KB bodies with their hashes, made once: an agent hashes its segments on
 * its own host, so the client that plays it here (sharing ingest's cores) should not.
 * Consecutive segments of a recording always differ; a recording meets the same bytes
 * again only after `count` segments, under another key.
 */
function segmentBodies(count: number): Body[] {
  return Array.from({ length: count }, () => {
    const bytes = randomBytes(SEGMENT_BYTES);
    return { bytes, sha256: sha256(bytes) };
  });
}

interface SegmentRequest {
  body: Buffer;
  hash: string;
  headers: http.OutgoingHttpHeaders;
}

/**
 * Segment `seq` of a recording as the agent sends it: the body, its SHA-256, the previous
 * one's, and the protocol's headers. The HTTP + store floor's client sends the same, so
 * the two measurements differ only in the server.
 */
function segmentRequest(
  bodies: readonly Body[],
  seq: number,
  prev: string | undefined,
  credential: string,
): SegmentRequest {
  const { bytes, sha256: hash } = bodies[seq % bodies.length]!;
  return {
    body: bytes,
    hash,
    headers: {
      authorization: `Bearer ${credential}`,
      'content-type': 'application/octet-stream',
      'x-segment-sha256': hash,
      ...(prev ? { 'x-segment-prev-sha256': prev } : {}),
      'x-segment-kind': seq === 0 ? 'init' : 'media',
      'x-segment-start-ms': String(Math.max(0, seq - 1) * 6000),
      'x-segment-end-ms': String(seq * 6000),
    },
  };
}

/** Uploads one recording's segments in order until the deadline; answers how many. */
async function uploadRecording(
  agent: http.Agent,
  url: (seq: number) => string,
  credential: string,
  deadline: number,
  bodies: readonly Body[],
  latencies: number[],
  onSegment: () => void,
): Promise<number> {
  let prev: string | undefined;
  let seq = 0;
  for (; Date.now() < deadline; seq++) {
    const segment = segmentRequest(bodies, seq, prev, credential);
    const started = performance.now();
    const res = await send(agent, 'PUT', url(seq), segment.headers, segment.body);
    if (res.status !== 201) throw new Error(`segment ${seq}: ${res.status} ${res.text}`);
    latencies.push(performance.now() - started);
    prev = segment.hash;
    onSegment();
  }
  return seq;
}

/** A session and screen recording of its own on ingest, for one worker: its segment URLs. */
async function ingestRecording(
  harness: IngestHarness,
  credential: string,
): Promise<(seq: number) => string> {
  const base = `${harness.url}/agent/v1`;
  const sessionId = randomUUID();
  const recordingId = randomUUID();
  const now = new Date().toISOString();
  await call(`${base}/sessions`, credential, 'POST', {
    sessionId,
    user: 'bench',
    groups: [],
    host: 'bench-host',
    protocol: 'desktop',
    startedAt: now,
  });
  await call(`${base}/sessions/${sessionId}/recordings`, credential, 'POST', {
    recordingId,
    kind: 'screen',
    at: now,
    reason: 'policy',
  });
  return (seq) => `${base}/recordings/${recordingId}/segments/${seq}`;
}

/**
 * Event batches at saturation: three events a batch (as agents send them) over kept-alive
 * connections, for the measuring time, first one batch per request, then 32 sessions'
 * batches per POST /batches as an agent with many busy sessions sends them. What one
 * batch costs ingest in CPU is the figure that decides how many sessions a process
 * carries: every session sends two batches a second.
 */
async function eventBatches(ctx: BenchContext, harness: IngestHarness): Promise<ResultRow[]> {
  const credential = await harness.enrolAgent('bench-events');
  const base = `${harness.url}/agent/v1`;
  const sessions: string[] = [];
  for (let i = 0; i < 50; i++) {
    const sessionId = randomUUID();
    await call(`${base}/sessions`, credential, 'POST', {
      sessionId,
      user: `bench${i}`,
      groups: [],
      host: 'bench-host',
      protocol: 'terminal',
      startedAt: new Date().toISOString(),
    });
    sessions.push(sessionId);
  }
  const batch = (n: number): { events: unknown[] } => ({
    events: [0, 1, 2].map((k) => ({
      eventId: randomUUID(),
      type: 'command.start',
      at: new Date().toISOString(),
      offsetMs: n * 10 + k,
      attributes: { command: `ls -la /srv/data/${n}`, pid: 1000 + k },
    })),
  });
  // One batch per request (the per-session route), 32 in flight; then as the agent sends
  // a busy host's batches: 32 sessions' batches per POST /batches, 4 requests in flight.
  const single = await batchLoad(ctx, harness, credential, 32, (n) => ({
    path: `${base}/sessions/${sessions[n % sessions.length]!}/events`,
    body: JSON.stringify(batch(n)),
    batches: 1,
    ok: (status) => status === 202,
  }));
  const combined = await batchLoad(ctx, harness, credential, 4, (n) => ({
    path: `${base}/batches`,
    body: JSON.stringify({
      batches: Array.from({ length: 32 }, (_, k) => ({
        kind: 'events',
        sessionId: sessions[(n * 32 + k) % sessions.length]!,
        batch: batch(n * 32 + k),
      })),
    }),
    batches: 32,
    ok: (status, text) => status === 200 && !text.includes('"error"'),
  }));
  const rows = (label: string, r: BatchLoad): ResultRow[] => [
    { figure: `${label}: accepted`, value: r.batchesPerSecond, unit: 'batches/s' },
    { figure: `${label}: refused`, value: r.refused, unit: 'requests', limit: 0 },
    { figure: `${label}: ingest CPU per batch`, value: r.cpuPerBatchUs, unit: 'µs' },
    {
      // Two batches a second per session: how many sessions' batches one core would carry.
      figure: `${label}: sessions one core carries (2 batches/s each)`,
      value: 1e6 / 2 / Math.max(r.cpuPerBatchUs, 1e-9),
      unit: 'sessions',
    },
  ];
  return [
    ...rows('event batches (3 events), one per request', single),
    ...rows('event batches, 32 per POST /batches', combined),
  ];
}

interface BatchLoad {
  batchesPerSecond: number;
  refused: number;
  cpuPerBatchUs: number;
}

/** Posts what `request(n)` describes with `inFlight` workers for the measuring time. */
async function batchLoad(
  ctx: BenchContext,
  harness: IngestHarness,
  credential: string,
  inFlight: number,
  request: (n: number) => {
    path: string;
    body: string;
    batches: number;
    ok: (status: number, text: string) => boolean;
  },
): Promise<BatchLoad> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });
  const post = (url: string, body: string): Promise<Answer> =>
    send(
      agent,
      'POST',
      url,
      { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
      body,
    );
  let sent = 0;
  let batches = 0;
  let refused = 0;
  const started = Date.now();
  const deadline = started + ctx.durationMs;
  harness.ingest.resetUsage();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (Date.now() < deadline) {
        const n = sent++;
        const r = request(n);
        const answer = await post(r.path, r.body);
        if (r.ok(answer.status, answer.text)) batches += r.batches;
        else refused += 1;
        if (n % 500 === 0) ctx.progress(`ingest event batches: ${batches}`);
      }
    }),
  );
  const elapsed = Date.now() - started;
  const usage = harness.ingest.usage();
  agent.destroy();
  const perSecond = rate(batches, elapsed);
  return {
    batchesPerSecond: perSecond,
    refused,
    cpuPerBatchUs: (usage.cpuPercentOfOneCore * 10_000) / Math.max(perSecond, 1e-9),
  };
}

const STAGES = ['segment.store', 'segment.publish', 'segment.row', 'batch.publish'] as const;

/**
 * p50 and p99 of each step ingest timed (store write, publish to PubAck, row) between two
 * scrapes of its /metrics: where a slow acknowledgement waited.
 */
function stageRows(label: string, before: string, after: string): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const stage of STAGES) {
    const only = new RegExp(`^${stage.replace('.', '\\.')}$`);
    const a = parseHistogramBuckets(before, 'ingest_stage_duration', 'stage', only);
    const b = parseHistogramBuckets(after, 'ingest_stage_duration', 'stage', only);
    if ((b.get(Infinity) ?? 0) - (a.get(Infinity) ?? 0) <= 0) continue;
    for (const p of [50, 99]) {
      rows.push({
        figure: `${label}: ${stage} p${p} (bucket bound)`,
        value: bucketPercentileMs(a, b, p),
        unit: 'ms',
      });
    }
  }
  return rows;
}

/** What the rounds against one server added up to. */
class UploadTally {
  segments = 0;
  elapsedMs = 0;
  clientCpuMs = 0;
  serverCpuMs = 0;
  /** Every process's and the kernel's CPU; undefined without /proc/stat. */
  machineMs: number | undefined = 0;
  /** The server's event loop and its other threads (the store's write threads). */
  serverMainMs = 0;
  serverOtherMs = 0;
  /** PostgreSQL's and NATS's processes on this machine (0 when they run elsewhere). */
  postgresMs = 0;
  natsMs = 0;
  readonly latencies: number[] = [];
  /** Each round's uploads and length, in order: for the ratios cycle by cycle. */
  readonly rounds: Round[] = [];

  get perSecond(): number {
    return rate(this.segments, this.elapsedMs);
  }

  /** CPU time per upload, in ms. */
  perUpload(cpuMs: number): number {
    return cpuMs / Math.max(this.segments, 1);
  }

  /** CPU time as a % of one core over the rounds. */
  percentOfCore(cpuMs: number): number {
    return this.elapsedMs > 0 ? (100 * cpuMs) / this.elapsedMs : 0;
  }

  /** Counts a round's uploads and its length. */
  addRound(count: number, elapsedMs: number): void {
    this.segments += count;
    this.elapsedMs += elapsedMs;
    this.rounds.push({ count, elapsedMs });
  }

  /** Adds a round's machine CPU; one unreadable /proc/stat leaves the total unknown. */
  addMachineMs(before: number | undefined, after: number | undefined): void {
    this.machineMs =
      this.machineMs !== undefined && before !== undefined && after !== undefined
        ? this.machineMs + (after - before)
        : undefined;
  }
}

/**
 * One round: 16 workers, each uploading a recording of its own in order over kept-alive
 * connections for `durationMs`, against the server whose process is `serverPid`;
 * `recording()` prepares a worker's recording and answers its segment URLs.
 */
async function uploadRound(
  ctx: BenchContext,
  label: string,
  server: { pid: number; credential: string; recording: () => Promise<(seq: number) => string> },
  bodies: readonly Body[],
  durationMs: number,
  tally: UploadTally,
): Promise<void> {
  const urls = await Promise.all(Array.from({ length: CONCURRENCY }, server.recording));
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let done = 0;
  const started = Date.now();
  const clientCpu = process.cpuUsage();
  const machineBefore = machineBusyMs();
  const threadsBefore = threadCpuMs(server.pid);
  const postgresBefore = commandCpuMs('postgres');
  const natsBefore = commandCpuMs('nats-server');
  try {
    const counts = await Promise.all(
      urls.map((url) =>
        uploadRecording(
          agent,
          url,
          server.credential,
          started + durationMs,
          bodies,
          tally.latencies,
          () => {
            done += 1;
            if (done % 50 === 0) {
              ctx.progress(
                `ingest ${label}: ${done} segments, ${Math.round(rate(done, Date.now() - started))}/s`,
              );
            }
          },
        ),
      ),
    );
    const machineAfter = machineBusyMs();
    const client = process.cpuUsage(clientCpu);
    tally.addRound(
      counts.reduce((a, b) => a + b, 0),
      Date.now() - started,
    );
    tally.clientCpuMs += (client.user + client.system) / 1000;
    const threads = threadCpuMs(server.pid);
    tally.serverMainMs += threads.mainMs - threadsBefore.mainMs;
    tally.serverOtherMs += threads.otherMs - threadsBefore.otherMs;
    // The process's total is its main thread and the rest: one read of /proc for both.
    tally.serverCpuMs +=
      threads.mainMs + threads.otherMs - (threadsBefore.mainMs + threadsBefore.otherMs);
    tally.postgresMs += commandCpuSince(postgresBefore, commandCpuMs('postgres'));
    tally.natsMs += commandCpuSince(natsBefore, commandCpuMs('nats-server'));
    tally.addMachineMs(machineBefore, machineAfter);
  } finally {
    agent.destroy();
  }
}

/**
 * One round of raw PUT: the benchmark process itself stores bodies with the store ingest
 * uses, 16 at once, each worker a recording of its own under the segment key layout, with
 * the SHA-256 claim and the body handed over (a fresh copy, as ingest has one from the
 * request): what the store does for this machine with no HTTP, no ingest and no client.
 */
async function rawPutRound(
  ctx: BenchContext,
  label: string,
  store: ObjectStore,
  bodies: readonly Body[],
  durationMs: number,
  tally: UploadTally,
): Promise<void> {
  let done = 0;
  const started = Date.now();
  const deadline = started + durationMs;
  const cpu = process.cpuUsage();
  const machineBefore = machineBusyMs();
  const counts = await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      const recordingId = randomUUID();
      const startedAt = new Date();
      let seq = 0;
      for (; Date.now() < deadline; seq++) {
        const { bytes, sha256: hash } = bodies[seq % bodies.length]!;
        const key =
          seq === 0
            ? initSegmentKey(recordingId, startedAt)
            : segmentKey(recordingId, startedAt, seq, 'm4s');
        const began = performance.now();
        const { created } = await store.putIfAbsent(key, Buffer.from(bytes), {
          sha256: hash,
          contentLength: bytes.length,
          handOver: true,
        });
        if (!created) throw new Error(`raw PUT: ${key} unexpectedly existed`);
        tally.latencies.push(performance.now() - began);
        done += 1;
        if (done % 50 === 0) {
          ctx.progress(
            `ingest ${label}: ${done} objects, ${Math.round(rate(done, Date.now() - started))}/s`,
          );
        }
      }
      return seq;
    }),
  );
  const machineAfter = machineBusyMs();
  const used = process.cpuUsage(cpu);
  tally.addRound(
    counts.reduce((a, b) => a + b, 0),
    Date.now() - started,
  );
  tally.serverCpuMs += (used.user + used.system) / 1000;
  tally.addMachineMs(machineBefore, machineAfter);
}

/**
 * Each ratio's median over the saturation cycles, with its lowest and highest cycle: the
 * pooled ratios above in one figure each, and here how far apart the cycles landed.
 */
function cycleRows(
  label: string,
  pairs: readonly [
    name: string,
    numerator: UploadTally,
    denominator: UploadTally,
    limit?: number,
  ][],
): ResultRow[] {
  return pairs.flatMap(([name, numerator, denominator, limit]) => {
    const cycles = cycleRatios(numerator.rounds, denominator.rounds, SATURATION_CYCLES);
    if (!cycles) return [];
    const figure = `${label}: ${name}, by cycle (${cycles.ratios.length})`;
    return [
      { figure: `${figure}: median`, value: cycles.median, unit: '×', ...(limit ? { limit } : {}) },
      { figure: `${figure}: lowest`, value: cycles.lowest, unit: '×' },
      { figure: `${figure}: highest`, value: cycles.highest, unit: '×' },
    ];
  });
}

/** The whole machine's CPU per upload of some rounds, when /proc/stat gave it. */
function machineCpuRow(figure: string, tally: UploadTally): ResultRow[] {
  return tally.machineMs === undefined
    ? []
    : [{ figure, value: tally.perUpload(tally.machineMs), unit: 'ms' }];
}

/**
 * The machine's CPU per segment, part by part: the server's event loop, its other threads
 * (the store's writes), PostgreSQL, nats-server, the upload client, and the rest (the
 * kernel's own work, the S3 test server, anything else running).
 */
function cpuBreakdownRows(
  label: string,
  server: string,
  tally: UploadTally,
  machineMs: number,
): ResultRow[] {
  const parts: [string, number][] = [
    [`${server} event loop`, tally.serverMainMs],
    [`${server} other threads (store writes)`, tally.serverOtherMs],
    ['PostgreSQL', tally.postgresMs],
    ['nats-server', tally.natsMs],
    ['upload client', tally.clientCpuMs],
  ];
  const named = parts.reduce((sum, [, ms]) => sum + ms, 0);
  parts.push(['the rest (kernel, S3 server, others)', Math.max(0, machineMs - named)]);
  return parts.map(([part, ms]) => ({
    figure: `${label}: CPU per segment, ${part}`,
    value: tally.perUpload(ms),
    unit: 'ms',
  }));
}

function rawRate(ctx: BenchContext, rawFigure: string): number | undefined {
  return ctx.previous.get('object-store-put')?.find((r) => r.figure === rawFigure)?.value;
}

/**
 * Segment uploads at 16 in flight against one ingest (target: 0.9 of the raw PUT rate),
 * beside two references measured in the same rounds:
 * - raw PUT: the benchmark process storing the same bodies with the same store and key
 *   layout, without HTTP (rawPutRound);
 * - the HTTP + store floor: the same client and uploads against a bare node:http server
 *   that only stores each body as ingest does (upload-floor-server.ts). What ingest adds
 *   on top of the floor is its own work; what the floor loses against raw PUT is the cost
 *   of receiving uploads over HTTP on cores the client shares.
 *
 * The three alternate, raw-floor-ingest-ingest-floor-raw, in SATURATION_CYCLES cycles of
 * rounds a twelfth of the measuring time each: on a VM whose disk and cores speed up and
 * slow down by half within a minute, and where a phase of heavy writes slows the next,
 * figures measured one phase after another had put the drift into their ratios. Each
 * ratio is printed pooled over all rounds and cycle by cycle (median, lowest, highest):
 * the spread says how much the VM moved it. object-store-put's rate (`rawFigure`, an
 * earlier and shorter burst in this run) is shown beside for comparison, without a limit.
 */
async function saturation(
  ctx: BenchContext,
  harness: IngestHarness,
  label: string,
  storeEnv: NodeJS.ProcessEnv,
  rawFigure: string,
): Promise<ResultRow[]> {
  const bodies = segmentBodies(256);
  const floorLabel = `${label}: HTTP + store floor`;
  const rawLabel = `${label}: raw PUT in the same rounds`;
  const credential = await harness.enrolAgent('bench-saturation');
  const floorServer = await UploadFloorServer.start(storeEnv);
  const rawStore = createObjectStore(storeEnv.STORAGE_URL ?? '', s3SettingsFromEnv(storeEnv));
  const rawPut = new UploadTally();
  const floor = new UploadTally();
  const ingest = new UploadTally();
  const floorSide = {
    pid: floorServer.pid,
    credential: 'floor',
    recording: () => {
      const recordingId = randomUUID();
      return Promise.resolve((seq: number) => `${floorServer.url}/floor/${recordingId}/${seq}`);
    },
  };
  const ingestSide = {
    pid: harness.ingest.pid,
    credential,
    recording: () => ingestRecording(harness, credential),
  };
  // Each of the three takes the measuring time in all, in rounds spread over the phase.
  const round = ctx.durationMs / (2 * SATURATION_CYCLES);
  harness.ingest.resetUsage();
  const metricsBefore = await scrapeMetrics(harness.url);
  try {
    for (let cycle = 0; cycle < SATURATION_CYCLES; cycle++) {
      await rawPutRound(ctx, rawLabel, rawStore, bodies, round, rawPut);
      await uploadRound(ctx, floorLabel, floorSide, bodies, round, floor);
      await uploadRound(ctx, label, ingestSide, bodies, round, ingest);
      await uploadRound(ctx, label, ingestSide, bodies, round, ingest);
      await uploadRound(ctx, floorLabel, floorSide, bodies, round, floor);
      await rawPutRound(ctx, rawLabel, rawStore, bodies, round, rawPut);
    }
  } finally {
    await Promise.allSettled([floorServer.stop(), rawStore.close()]);
  }
  const peakRss = harness.ingest.usage().peakRssMiB;
  const metricsAfter = await scrapeMetrics(harness.url);
  const raw = rawPut.perSecond;
  const earlierRaw = rawRate(ctx, rawFigure);
  const rows: ResultRow[] = [
    {
      figure: rawLabel,
      value: raw,
      unit: 'objects/s',
      ...(earlierRaw ? { ratio: raw / earlierRaw } : {}),
    },
    {
      figure: `${rawLabel}: CPU per object (this process, store included)`,
      value: rawPut.perUpload(rawPut.serverCpuMs),
      unit: 'ms',
    },
    ...machineCpuRow(`${rawLabel}: machine CPU per object (all processes)`, rawPut),
    {
      figure: `${floorLabel}: uploads`,
      value: floor.perSecond,
      unit: 'segments/s',
      ratio: floor.perSecond / Math.max(raw, 1e-9),
    },
    {
      figure: `${floorLabel}: server CPU per upload (store included)`,
      value: floor.perUpload(floor.serverCpuMs),
      unit: 'ms',
    },
    {
      figure: `${floorLabel}: client CPU per upload`,
      value: floor.perUpload(floor.clientCpuMs),
      unit: 'ms',
    },
    ...machineCpuRow(`${floorLabel}: machine CPU per upload (all processes)`, floor),
    {
      figure: `${label}: segment uploads`,
      value: ingest.perSecond,
      unit: 'segments/s',
      limit: raw * 0.9,
      ratio: ingest.perSecond / Math.max(raw, 1e-9),
    },
    ...(earlierRaw
      ? [
          {
            figure: `${label}: segment uploads against object-store-put's ${rawFigure}`,
            value: ingest.perSecond,
            unit: 'segments/s',
            ratio: ingest.perSecond / earlierRaw,
          },
        ]
      : []),
    {
      // What ingest's own work costs: 1 would be an ingest as cheap as a server that only
      // stores the bytes.
      figure: `${label}: segment uploads against the HTTP + store floor`,
      value: ingest.perSecond,
      unit: 'segments/s',
      ratio: ingest.perSecond / Math.max(floor.perSecond, 1e-9),
    },
    ...cycleRows(label, [
      ['segment uploads / raw PUT', ingest, rawPut, 0.9],
      ['HTTP + store floor / raw PUT', floor, rawPut],
      ['segment uploads / HTTP + store floor', ingest, floor],
    ]),
    {
      figure: `${label}: upload throughput`,
      value: (ingest.perSecond * SEGMENT_BYTES) / 1e6,
      unit: 'MB/s',
    },
    { figure: `${label}: ack latency p50`, value: percentile(ingest.latencies, 50), unit: 'ms' },
    { figure: `${label}: ack latency p99`, value: percentile(ingest.latencies, 99), unit: 'ms' },
    {
      figure: `${label}: ingest CPU`,
      value: ingest.percentOfCore(ingest.serverCpuMs),
      unit: '% of a core',
    },
    {
      // CPU time per upload: what a busy machine distorts least (throughput and latency
      // depend on who else has the cores; this is the work ingest itself does).
      figure: `${label}: ingest CPU per segment`,
      value: ingest.perUpload(ingest.serverCpuMs),
      unit: 'ms',
    },
    { figure: `${label}: ingest peak RSS`, value: peakRss, unit: 'MiB' },
    {
      // The uploading client runs on the same cores: what it takes is not ingest's to use.
      figure: `${label}: upload client CPU (same machine)`,
      value: ingest.percentOfCore(ingest.clientCpuMs),
      unit: '% of a core',
    },
    ...stageRows(label, metricsBefore, metricsAfter),
    ...loopDelayRows(label, metricsAfter),
  ];
  if (ingest.machineMs !== undefined) {
    // Where the machine's CPU went per segment (ingest, the client, NATS, PostgreSQL, the
    // store, the kernel), beside what 90 % of the raw PUT rate would allow on these cores:
    // when the run used the cores up, the rate cannot rise unless this figure falls.
    const row: ResultRow = {
      figure: `${label}: machine CPU per segment (all processes)`,
      value: ingest.perUpload(ingest.machineMs),
      unit: 'ms',
    };
    if (raw > 0) row.limit = (os.availableParallelism() * 1000) / (raw * 0.9);
    rows.push(row, ...cpuBreakdownRows(label, 'ingest', ingest, ingest.machineMs));
  }
  if (floor.machineMs !== undefined) {
    rows.push(...cpuBreakdownRows(floorLabel, 'floor server', floor, floor.machineMs));
  }
  return rows;
}

interface Latency {
  p50: number;
  p99: number;
  count?: number;
}

/** Session and recording starts and ends: once per session, most of them in the ramps. */
const LIFECYCLE_KINDS = [
  'session-start',
  'recording-start',
  'recording-stop',
  'session-end',
] as const;
type LifecycleKind = (typeof LIFECYCLE_KINDS)[number];

interface SimulationSummary {
  wallMs: number;
  segments: { acked: number; ackedBytes: number };
  events: { acked: number; batchesAcked: number };
  metrics: { acked: number };
  requests: { retries: number; combined?: number; failures: Record<string, number> };
  latencyMs: Partial<Record<'segment' | 'events' | 'metrics' | LifecycleKind, Latency>>;
  deliveryMs?: Partial<Record<'segment' | 'events' | 'metrics', Latency>>;
  errors: number;
  loopDelayMs?: { p99: number; max: number };
}

async function sustained(
  ctx: BenchContext,
  harness: IngestHarness,
  sessions: number,
  seconds: number,
): Promise<ResultRow[]> {
  const stateDir = await mkdtemp(path.join(ctx.tmpDir, `sessionrec-bench-agent-${sessions}-`));
  const token = await harness.enrolToken();
  const agent = path.join(REPO_ROOT, 'services', 'agent', 'bin', 'sessionrec-agent.js');
  ctx.progress(`ingest: simulating ${sessions} sessions for ${seconds} s`);
  harness.ingest.resetUsage();
  const metricsBefore = await scrapeMetrics(harness.url);
  const simulation = run(
    process.execPath,
    [
      // BENCH_PROFILE_DIR: profile the load generator too (it shares this machine's cores).
      ...(process.env.BENCH_PROFILE_DIR
        ? [
            '--cpu-prof',
            '--cpu-prof-name',
            'simulator.cpuprofile',
            '--cpu-prof-dir',
            process.env.BENCH_PROFILE_DIR,
          ]
        : []),
      agent,
      'simulate',
      '--sessions',
      String(sessions),
      '--duration',
      String(seconds),
      '--ingest',
      harness.url,
      '--token',
      token,
      '--state-dir',
      stateDir,
      '--kind',
      'mixed',
      // Sessions start spread over one segment interval (6 s), as real sessions start at
      // different times: started together, every session would cut its segment in the same
      // instant every 6 s, a burst no fleet of hosts makes.
      '--ramp-up',
      '6',
      '--upload-concurrency',
      String(Math.min(512, Math.max(16, Math.ceil(sessions / 4)))),
      '--no-control',
      // The load is what is measured: every session records, whatever a policy says.
      '--record',
      'always',
      // One simulator plays every host here: its spool stays in memory, so the load
      // generator spends its core on requests, not on thousands of spool files a second.
      '--spool-in-memory',
      '--spool-max-mb',
      '8192',
      '--json',
      '--quiet',
    ],
    { maxBuffer: 16 * 1024 * 1024, timeout: (seconds + 180) * 1000 },
  );
  const simulatorCpu = new CpuSampler(simulation.child.pid ?? 0);
  const { stdout } = await simulation.catch(
    (err: { stdout?: string; stderr?: string; message: string }) => {
      // Exit code 1 means something was refused or left in the spool: still report it.
      if (err.stdout) return { stdout: err.stdout };
      throw new Error(`simulator failed: ${err.message}\n${err.stderr ?? ''}`);
    },
  );
  await rm(stateDir, { recursive: true, force: true });
  const usage = harness.ingest.usage();
  const simulatorCpuPercent = simulatorCpu.stop();
  const metricsAfter = await scrapeMetrics(harness.url);
  const before = parseDurationBuckets(metricsBefore, AGENT_ROUTES);
  const after = parseDurationBuckets(metricsAfter, AGENT_ROUTES);
  const summary = JSON.parse(stdout) as SimulationSummary;
  const label = `${sessions} sessions`;
  const wall = summary.wallMs;
  const p99s = (['segment', 'events', 'metrics'] as const)
    .map((k) => summary.latencyMs[k]?.p99)
    .filter((v): v is number => v !== undefined);
  const p50s = (['segment', 'events', 'metrics'] as const)
    .map((k) => summary.latencyMs[k]?.p50)
    .filter((v): v is number => v !== undefined);
  return [
    {
      figure: `${label}: segments acked`,
      value: rate(summary.segments.acked, wall),
      unit: 'segments/s',
    },
    {
      figure: `${label}: segment throughput`,
      value: (summary.segments.ackedBytes / 1e6 / wall) * 1000,
      unit: 'MB/s',
    },
    { figure: `${label}: events acked`, value: rate(summary.events.acked, wall), unit: 'events/s' },
    {
      figure: `${label}: ingest-side latency p50 (bucket bound)`,
      value: bucketPercentileMs(before, after, 50),
      unit: 'ms',
    },
    {
      figure: `${label}: ingest-side latency p99 (bucket bound)`,
      value: bucketPercentileMs(before, after, 99),
      unit: 'ms',
      limit: 100,
    },
    {
      figure: `${label}: agent-side ack latency p50 (worst kind)`,
      value: Math.max(0, ...p50s),
      unit: 'ms',
    },
    {
      figure: `${label}: agent-side ack latency p99 (worst kind)`,
      value: Math.max(0, ...p99s),
      unit: 'ms',
      limit: 100,
    },
    // Kind by kind, so a p99 over the limit points at segments, event or metric batches.
    ...(['segment', 'events', 'metrics'] as const).flatMap((kind) => {
      const p99 = summary.latencyMs[kind]?.p99;
      return p99 === undefined
        ? []
        : [{ figure: `${label}: agent-side ack latency p99, ${kind}`, value: p99, unit: 'ms' }];
    }),
    {
      // Each session's starts and ends: most fall in the first and last 6 s (the ramps),
      // when every session starts or ends within seconds of the others.
      figure: `${label}: agent-side lifecycle ack latency p99 (worst kind)`,
      value: Math.max(0, ...LIFECYCLE_KINDS.map((k) => summary.latencyMs[k]?.p99 ?? 0)),
      unit: 'ms',
    },
    {
      // Spooled to acknowledged: the request and any wait for a request slot.
      figure: `${label}: agent-side delivery p99 (worst kind)`,
      value: Math.max(
        0,
        ...(['segment', 'events', 'metrics'] as const).map(
          (k) => summary.deliveryMs?.[k]?.p99 ?? 0,
        ),
      ),
      unit: 'ms',
    },
    {
      figure: `${label}: combined batch requests`,
      value: rate(summary.requests.combined ?? 0, wall),
      unit: 'requests/s',
    },
    { figure: `${label}: retries after 503`, value: summary.requests.retries, unit: 'requests' },
    {
      figure: `${label}: errors (refused or unsent)`,
      value: summary.errors,
      unit: 'requests',
      limit: 0,
    },
    { figure: `${label}: ingest CPU`, value: usage.cpuPercentOfOneCore, unit: '% of a core' },
    { figure: `${label}: ingest peak RSS`, value: usage.peakRssMiB, unit: 'MiB' },
    {
      figure: `${label}: simulator CPU (same machine)`,
      value: simulatorCpuPercent,
      unit: '% of a core',
    },
    // The agent-side latencies include the simulator's own lateness: beside them, it tells
    // a slow ingest from a busy load generator.
    ...(summary.loopDelayMs
      ? [
          {
            figure: `${label}: simulator event-loop delay p99`,
            value: summary.loopDelayMs.p99,
            unit: 'ms',
          },
          {
            figure: `${label}: simulator event-loop delay max`,
            value: summary.loopDelayMs.max,
            unit: 'ms',
          },
        ]
      : []),
    ...stageRows(label, metricsBefore, metricsAfter),
    ...loopDelayRows(label, metricsAfter),
  ];
}

/**
 * The ingest event loop's delay p99 and max over the run (the process metrics cover the
 * time since the previous scrape, which was the one before the run): how long a ready
 * callback waited for its turn. A request whose steps each wait that long is slow however
 * quick the steps are.
 */
function loopDelayRows(label: string, metrics: string): ResultRow[] {
  const gauge = (name: string): number | undefined => {
    const line = metrics
      .split('\n')
      .find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    const value = line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : NaN;
    return Number.isFinite(value) ? value * 1000 : undefined;
  };
  const rows: ResultRow[] = [];
  const p99 = gauge('nodejs_eventloop_delay_p99');
  const max = gauge('nodejs_eventloop_delay_max');
  if (p99 !== undefined)
    rows.push({ figure: `${label}: ingest event-loop delay p99`, value: p99, unit: 'ms' });
  if (max !== undefined)
    rows.push({ figure: `${label}: ingest event-loop delay max`, value: max, unit: 'ms' });
  return rows;
}

export const ingest: Benchmark = {
  name: 'ingest',
  description: 'segment uploads at saturation, and simulated sessions at realistic rates',
  async run(ctx) {
    const sizes = (process.env.BENCH_INGEST_SESSIONS ?? '250,1000,2000')
      .split(',')
      .map((s) => Number(s.trim()))
      .filter((n) => Number.isInteger(n) && n > 0 && n <= 10_000);
    const seconds = Number(process.env.BENCH_INGEST_SECONDS ?? 30);
    const harness = await IngestHarness.start({
      repoRoot: REPO_ROOT,
      natsUrl: ctx.natsUrl,
      tmpDir: ctx.tmpDir,
      env: { INGEST_MAX_INFLIGHT: '4096' },
    });
    const rows: ResultRow[] = [];
    try {
      // Event batches first: they warm ingest up without writing objects. The sustained
      // sessions come before the saturation, whose gigabytes of fsynced writes (raw PUT,
      // the floor and ingest at full speed) can slow this VM's disk for up to a minute
      // after them: that belongs to no session's latency. Each phase starts with the
      // page cache written out, so the last phase's writes are not flushed during it.
      const batchRows = await eventBatches(ctx, harness);
      const sessionRows: ResultRow[] = [];
      for (const sessions of sizes) {
        await settleDisk(ctx);
        sessionRows.push(...(await sustained(ctx, harness, sessions, seconds)));
      }
      await settleDisk(ctx);
      const storeDir = await mkdtemp(path.join(ctx.tmpDir, 'upload-floor-'));
      rows.push(
        ...(await saturation(
          ctx,
          harness,
          'saturation',
          { STORAGE_URL: `file://${storeDir}` },
          'filesystem PUT rate',
        )),
        ...batchRows,
        ...sessionRows,
      );
    } finally {
      await harness.stop();
    }
    await settleDisk(ctx);
    rows.push(...(await saturationOnS3(ctx)));
    return rows;
  },
};

async function settleDisk(ctx: BenchContext): Promise<void> {
  const ms = await flushPageCache();
  ctx.progress(`ingest: page cache written out before the next phase (${Math.round(ms)} ms)`);
}

/**
 * The same saturation with recordings in S3 (the test server here, or the S3_ENDPOINT the
 * run was given), beside that server's raw PUT rate: how a deployment with an S3 store
 * compares, where the store, not the filesystem, sets the ceiling.
 */
async function saturationOnS3(ctx: BenchContext): Promise<ResultRow[]> {
  const s3 = await ctx.s3();
  const endpoint = assertLoopbackUrl('S3_ENDPOINT', s3.endpoint);
  const bucket = `sessionrec-bench-ingest-${randomBytes(4).toString('hex')}`;
  const admin = new S3Client({
    endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: s3.credentials,
  });
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  const storeEnv = {
    STORAGE_URL: `s3://${bucket}`,
    S3_ENDPOINT: endpoint,
    S3_REGION: s3.region,
    S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
  };
  const label = s3.ephemeral ? 'on the s3 test server' : 'on s3';
  const raw = s3.ephemeral ? 's3 test server PUT rate' : 's3 PUT rate';
  let harness: IngestHarness | undefined;
  try {
    harness = await IngestHarness.start({
      repoRoot: REPO_ROOT,
      natsUrl: ctx.natsUrl,
      tmpDir: ctx.tmpDir,
      env: { INGEST_MAX_INFLIGHT: '4096', ...storeEnv },
    });
    return await saturation(ctx, harness, label, storeEnv, raw);
  } finally {
    await harness?.stop();
    if (!s3.ephemeral) {
      ctx.progress('ingest: removing benchmark objects from S3');
      await emptyBucket(admin, bucket);
      await admin.send(new DeleteBucketCommand({ Bucket: bucket }));
    }
    admin.destroy();
  }
}

async function emptyBucket(admin: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const page = await admin.send(new ListObjectsV2Command({ Bucket: bucket }));
    const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
    if (keys.length === 0) return;
    await admin.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
  }
}
