/**
 * The raw JetStream publish rate of this machine: the ceiling every service's message
 * rate is compared with. ~1 KiB messages, async publishes with a bounded window of
 * unacknowledged messages, to a temporary File-storage stream deleted afterwards.
 */
import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { type Benchmark, type ResultRow, rate } from '../benchmark';
import { assertLoopbackUrl } from '../loopback';

const MESSAGE_BYTES = 1024;
const WINDOW = 256;
const MAX_MESSAGES = 200_000;

export const jetstreamPublish: Benchmark = {
  name: 'jetstream-publish',
  description: `raw JetStream publish, ${MESSAGE_BYTES} B messages, window ${WINDOW}, File storage`,
  async run(ctx): Promise<ResultRow[]> {
    const nc = await connect({
      servers: assertLoopbackUrl('NATS_URL', ctx.natsUrl),
      name: 'sessionrec-bench',
    });
    const ns = `bench_${randomBytes(4).toString('hex')}`;
    const stream = `${ns.toUpperCase()}_PUBLISH`;
    const subject = `${ns}.publish`;
    const jsm = await jetstreamManager(nc);
    try {
      await jsm.streams.add({
        name: stream,
        subjects: [subject],
        storage: StorageType.File,
        max_bytes: 1024 * 1024 * 1024,
      });
      const js = jetstream(nc);
      const payload = randomBytes(MESSAGE_BYTES);
      const inflight = new Set<Promise<unknown>>();
      let failure: Error | undefined;
      let sent = 0;
      let acked = 0;
      const started = Date.now();
      const deadline = started + ctx.durationMs;
      while (sent < MAX_MESSAGES && Date.now() < deadline && failure === undefined) {
        const p: Promise<unknown> = js
          .publish(subject, payload)
          .then(() => {
            acked += 1;
          })
          .catch((err: unknown) => {
            failure ??= err instanceof Error ? err : new Error('publish failed', { cause: err });
          })
          .finally(() => inflight.delete(p));
        inflight.add(p);
        sent += 1;
        if (inflight.size >= WINDOW) await Promise.race(inflight);
        if (sent % 1000 === 0) {
          ctx.progress(
            `jetstream-publish: ${acked} acked, ${Math.round(rate(acked, Date.now() - started))} msgs/s`,
          );
        }
      }
      await Promise.all(inflight);
      const elapsed = Date.now() - started;
      if (failure) throw failure;
      const msgs = rate(acked, elapsed);
      return [
        { figure: 'publish rate (acked)', value: msgs, unit: 'msgs/s' },
        { figure: 'publish throughput', value: (msgs * MESSAGE_BYTES) / 1e6, unit: 'MB/s' },
        { figure: 'messages published', value: acked, unit: 'msgs' },
      ];
    } finally {
      await jsm.streams.delete(stream).catch(() => false);
      await nc.close();
    }
  },
};
