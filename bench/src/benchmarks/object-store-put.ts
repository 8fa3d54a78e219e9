/**
 * The raw object-store PUT rate of this machine (create-if-absent, ~100 KB objects,
 * bounded concurrency), for the filesystem store and the S3 test server: the ceiling for
 * segment uploads through ingest.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { CreateBucketCommand, DeleteBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { FsObjectStore, type ObjectStore, S3ObjectStore } from '@sessionrec/storage';
import { type BenchContext, type Benchmark, type ResultRow, rate, runBounded } from '../benchmark';
import { assertLoopbackUrl } from '../loopback';

const OBJECT_BYTES = 100 * 1000;
const CONCURRENCY = 16;
const MAX_OBJECTS = 5000;

async function measure(ctx: BenchContext, label: string, store: ObjectStore): Promise<ResultRow[]> {
  // Distinct bodies, so a store cannot short-cut identical content.
  const bodies = Array.from({ length: 64 }, () => randomBytes(OBJECT_BYTES));
  const started = Date.now();
  const cpu = process.cpuUsage();
  const done = await runBounded(
    MAX_OBJECTS,
    CONCURRENCY,
    started + ctx.durationMs,
    async (i) => {
      const body = Buffer.from(bodies[i % bodies.length]!);
      body.writeUInt32BE(i, 0);
      const { created } = await store.putIfAbsent(`bench/${String(i).padStart(8, '0')}.bin`, body);
      if (!created) throw new Error('benchmark key unexpectedly existed');
    },
    (n) => {
      if (n % 50 === 0) {
        ctx.progress(
          `object-store-put ${label}: ${n} objects, ${Math.round(rate(n, Date.now() - started))}/s`,
        );
      }
    },
  );
  const elapsed = Date.now() - started;
  const used = process.cpuUsage(cpu);
  const objects = rate(done, elapsed);
  return [
    { figure: `${label} PUT rate`, value: objects, unit: 'objects/s' },
    { figure: `${label} PUT throughput`, value: (objects * OBJECT_BYTES) / 1e6, unit: 'MB/s' },
    {
      // This process's CPU, its write threads included (for S3, the client side only): with
      // the HTTP + store floor measured by the ingest benchmark, what bounds ingest's rate on a
      // machine whose cores are all shared.
      figure: `${label} PUT CPU per object`,
      value: (used.user + used.system) / 1000 / Math.max(done, 1),
      unit: 'ms',
    },
  ];
}

async function deleteAll(store: ObjectStore): Promise<void> {
  for (;;) {
    const page = await store.list('bench/');
    if (page.keys.length === 0) return;
    await runBounded(page.keys.length, CONCURRENCY, Infinity, (i) =>
      store.delete(page.keys[i]!.key),
    );
  }
}

export const objectStorePut: Benchmark = {
  name: 'object-store-put',
  description: `raw putIfAbsent, ${OBJECT_BYTES / 1000} KB objects, concurrency ${CONCURRENCY}`,
  async run(ctx): Promise<ResultRow[]> {
    const rows: ResultRow[] = [];

    const root = await mkdtemp(path.join(ctx.tmpDir, 'fs-store-'));
    const fsStore = new FsObjectStore({ root });
    rows.push(...(await measure(ctx, 'filesystem', fsStore)));
    await fsStore.close();

    const s3 = await ctx.s3();
    const endpoint = assertLoopbackUrl('S3_ENDPOINT', s3.endpoint);
    const bucket = `sessionrec-bench-${randomBytes(4).toString('hex')}`;
    const admin = new S3Client({
      endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: s3.credentials,
    });
    const store = new S3ObjectStore({
      bucket,
      endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: s3.credentials,
    });
    try {
      await admin.send(new CreateBucketCommand({ Bucket: bucket }));
      rows.push(...(await measure(ctx, s3.ephemeral ? 's3 test server' : 's3', store)));
      if (!s3.ephemeral) {
        ctx.progress('object-store-put: removing benchmark objects');
        await deleteAll(store);
        await admin.send(new DeleteBucketCommand({ Bucket: bucket }));
      }
    } finally {
      await store.close();
      admin.destroy();
    }
    return rows;
  },
};
