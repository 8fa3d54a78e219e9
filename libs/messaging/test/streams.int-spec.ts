import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { nanos } from '@nats-io/nats-core';
import { STREAMS, streamName } from '@sessionrec/contracts';
import { connectTestNats, deleteNamespaceStreams, uniqueTestName } from '@sessionrec/testing';
import {
  DEAD_LETTER_RETRY_DELIVERIES,
  desiredStreamConfig,
  ensureConsumer,
  ensureStreams,
  type ConsumerSpec,
} from '../src';

jest.setTimeout(60_000);

describe('stream and consumer set-up', () => {
  const ns = uniqueTestName('messaging-streams');
  const setup = { namespace: ns, duplicateWindowMs: 120_000, replicas: 1 };
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    nc = await connectTestNats();
    jsm = await jetstreamManager(nc);
  });

  afterAll(async () => {
    await deleteNamespaceStreams(nc, ns);
    await nc.close();
  });

  it('creates every stream once and leaves them unchanged the second time', async () => {
    const first = await ensureStreams(jsm, setup);
    expect(Object.values(first)).toEqual(Object.values(STREAMS).map(() => 'created'));
    const second = await ensureStreams(jsm, setup);
    expect(Object.values(second)).toEqual(Object.values(STREAMS).map(() => 'unchanged'));

    const info = await jsm.streams.info(streamName(ns, 'SEGMENTS'));
    expect(info.config).toMatchObject({
      subjects: [`${ns}.segment.>`],
      storage: 'file',
      retention: 'limits',
      discard: 'old',
      num_replicas: 1,
      max_age: nanos(STREAMS.SEGMENTS.maxAgeSeconds * 1000),
      duplicate_window: nanos(120_000),
    });
  });

  it('converges a stream whose configuration drifted', async () => {
    const name = streamName(ns, 'EVENTS');
    await jsm.streams.update(name, {
      subjects: [`${ns}.event.>`, `${ns}.stray.>`],
      max_age: nanos(60_000),
      duplicate_window: nanos(10_000),
      discard: 'new',
    });
    const result = await ensureStreams(jsm, setup);
    expect(result[name]).toBe('updated');
    expect(Object.values(result).filter((r) => r !== 'unchanged')).toHaveLength(1);

    const { config } = await jsm.streams.info(name);
    const desired = desiredStreamConfig(STREAMS.EVENTS, setup);
    expect(config).toMatchObject({ ...desired, subjects: [`${ns}.event.>`] });
    expect((await ensureStreams(jsm, setup))[name]).toBe('unchanged');
  });

  it('creates a durable consumer idempotently and updates its limits', async () => {
    const spec: ConsumerSpec = {
      stream: streamName(ns, 'SEGMENTS'),
      durable: 'testsvc-segment-stored',
      filterSubject: `${ns}.segment.stored`,
      ackWaitMs: 30_000,
      maxDeliver: 5,
      maxInFlight: 64,
      description: 'test',
    };
    expect(await ensureConsumer(jsm, spec)).toBe('created');
    expect(await ensureConsumer(jsm, spec)).toBe('unchanged');
    let info = await jsm.consumers.info(spec.stream, spec.durable);
    expect(info.config).toMatchObject({
      durable_name: 'testsvc-segment-stored',
      filter_subject: `${ns}.segment.stored`,
      ack_policy: 'explicit',
      ack_wait: nanos(30_000),
      max_deliver: 5 + DEAD_LETTER_RETRY_DELIVERIES,
      max_ack_pending: 64,
    });

    expect(await ensureConsumer(jsm, { ...spec, maxInFlight: 8, ackWaitMs: 10_000 })).toBe(
      'updated',
    );
    info = await jsm.consumers.info(spec.stream, spec.durable);
    expect(info.config).toMatchObject({ max_ack_pending: 8, ack_wait: nanos(10_000) });
  });
});
