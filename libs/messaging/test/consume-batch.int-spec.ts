import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { Controller, Injectable, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HEADERS, type MessageOf, streamName } from '@sessionrec/contracts';
import {
  connectTestNats,
  deleteNamespaceStreams,
  readStream,
  uniqueTestName,
  waitFor,
} from '@sessionrec/testing';
import {
  type JetStreamBatchContext,
  JetStreamServer,
  Messaging,
  MessagingConnection,
  OnMessages,
  resolveOptions,
} from '../src';
import { nestLogger, segmentStored, testOptions } from './fixtures';

/** recordingIds whose message fails every call it is in. */
const poison = new Set<string>();

@Injectable()
class BatchProbe {
  readonly calls: { ids: string[]; deliveries: number[] }[] = [];
  /** Effects by recordingId: a handled message changes nothing twice. */
  readonly effects = new Set<string>();
}

@Controller()
class BatchHandlers {
  constructor(private readonly probe: BatchProbe) {}

  @OnMessages('segment.stored', { maxInFlight: 64, maxBatch: 10 })
  async onSegments(p: MessageOf<'segment.stored'>[], ctx: JetStreamBatchContext): Promise<void> {
    await Promise.resolve();
    const ids = p.map((s) => s.recordingId);
    this.probe.calls.push({
      ids,
      deliveries: ids.map((_, i) => ctx.message(i).deliveryCount),
    });
    if (ids.some((id) => poison.has(id))) throw new Error('one bad segment');
    for (const id of ids) this.probe.effects.add(id);
  }
}

jest.setTimeout(60_000);

describe('@OnMessages batch handlers', () => {
  const ns = uniqueTestName('messaging-batch');
  const segments = streamName(ns, 'SEGMENTS');
  const durable = 'testsvc-segment-stored';
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let connection: MessagingConnection;
  let worker: INestMicroservice;
  let probe: BatchProbe;
  let messaging: Messaging;

  @Module({ controllers: [BatchHandlers], providers: [BatchProbe] })
  class BatchModule {}

  beforeAll(async () => {
    nc = await connectTestNats();
    jsm = await jetstreamManager(nc);
    connection = new MessagingConnection(resolveOptions(testOptions(ns)));
    messaging = new Messaging(connection);
    await messaging.ensureStreams();
    worker = await NestFactory.createMicroservice(BatchModule, {
      strategy: new JetStreamServer(connection),
      logger: nestLogger,
    });
    await worker.listen();
    probe = worker.get(BatchProbe);
  });

  afterAll(async () => {
    await worker.close();
    await connection.close();
    await deleteNamespaceStreams(nc, ns);
    await nc.close();
  });

  async function settled(): Promise<boolean> {
    const info = await jsm.consumers.info(segments, durable);
    return info.num_pending === 0 && info.num_ack_pending === 0;
  }

  it('hands messages that arrive together to one call, at most maxBatch, and acks them', async () => {
    await worker.close(); // a backlog: the messages are there when the consumer pulls
    const published = Array.from({ length: 25 }, (_, i) => segmentStored(i + 1));
    await Promise.all(published.map((p) => messaging.publish('segment.stored', p)));
    worker = await NestFactory.createMicroservice(BatchModule, {
      strategy: new JetStreamServer(connection),
      logger: nestLogger,
    });
    await worker.listen();
    probe = worker.get(BatchProbe);
    const ids = published.map((p) => p.recordingId);
    await waitFor(() => ids.every((id) => probe.effects.has(id)), 20_000, 'all 25 handled');
    await waitFor(settled, 20_000, 'acks');
    const sizes = probe.calls.map((c) => c.ids.length);
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(10);
    expect(probe.calls.flatMap((c) => c.ids).sort()).toEqual([...ids].sort());
  });

  it('redelivers the neighbours of a failing message one by one; the bad one is dead-lettered', async () => {
    probe.calls.length = 0;
    await worker.close();
    const published = Array.from({ length: 6 }, (_, i) => segmentStored(i + 1));
    const bad = published[2]!;
    poison.add(bad.recordingId);
    const acks = await Promise.all(published.map((p) => messaging.publish('segment.stored', p)));
    worker = await NestFactory.createMicroservice(BatchModule, {
      strategy: new JetStreamServer(connection),
      logger: nestLogger,
    });
    await worker.listen();
    probe = worker.get(BatchProbe);
    const good = published.filter((p) => p !== bad).map((p) => p.recordingId);
    await waitFor(() => good.every((id) => probe.effects.has(id)), 20_000, 'the five good ones');
    const badSeq = acks[2]!.seq;
    await waitFor(
      async () =>
        (await readStream(nc, ns, 'DEADLETTER')).some(
          (m) => m.header.get(HEADERS.dlqStreamSeq) === `${badSeq}`,
        ),
      20_000,
      'dead letter of the bad one',
    );
    await waitFor(settled, 20_000, 'acks');
    const dead = await readStream(nc, ns, 'DEADLETTER');
    expect(dead.map((m) => m.header.get(HEADERS.dlqStreamSeq))).toEqual([`${badSeq}`]);
    expect(dead[0]?.header.get(HEADERS.dlqReason)).toBe('max deliveries exceeded: one bad segment');
    // Redeliveries come alone; the bad one is never handled.
    for (const call of probe.calls) {
      if (call.deliveries.some((d) => d > 1)) expect(call.ids).toHaveLength(1);
    }
    expect(probe.effects.has(bad.recordingId)).toBe(false);
  });

  it('dead-letters an invalid payload without handing it to the handler', async () => {
    probe.calls.length = 0;
    const js = jetstream(nc);
    const good = segmentStored(1);
    const bad = await js.publish(
      `${ns}.segment.stored`,
      new TextEncoder().encode(JSON.stringify({ v: 1, recordingId: 'nope' })),
    );
    await messaging.publish('segment.stored', good);
    await waitFor(() => probe.effects.has(good.recordingId), 20_000, 'the valid one');
    await waitFor(
      async () =>
        (await readStream(nc, ns, 'DEADLETTER')).some(
          (m) => m.header.get(HEADERS.dlqStreamSeq) === `${bad.seq}`,
        ),
      20_000,
      'dead letter of the invalid one',
    );
    expect(probe.calls.flatMap((c) => c.ids)).toEqual([good.recordingId]);
  });
});
