import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/nats-core';
import { Controller, Injectable, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import {
  HEADERS,
  type MessageOf,
  type ReplyOf,
  type RequestOf,
  streamName,
} from '@sessionrec/contracts';
import {
  connectTestNats,
  deleteNamespaceStreams,
  readStream,
  uniqueTestName,
  waitFor,
} from '@sessionrec/testing';
import {
  deadLetterMessageId,
  DLQ_ORIGINAL_MESSAGE_ID,
  type JetStreamContext,
  JetStreamServer,
  Messaging,
  MessagingConnection,
  MessagingModule,
  OnMessage,
  OnRequest,
  PermanentError,
  RequestFailedError,
  RequestTimeoutError,
  resolveOptions,
  RPC_ERROR_HEADER,
  SchemaValidationError,
} from '../src';
import { nestLogger, policyRequest, segmentStored, testOptions } from './fixtures';

type Behaviour = 'ok' | 'fail-once' | 'fail-always' | 'permanent' | 'slow';

@Injectable()
class Probe {
  running = 0;
  maxRunning = 0;
  readonly attempts = new Map<string, number>();
  readonly effects = new Map<string, number>();
  readonly behaviours = new Map<string, Behaviour>();
  readonly seqs: number[] = [];
}

@Controller()
class Handlers {
  constructor(private readonly probe: Probe) {}

  @OnMessage('segment.stored', { maxInFlight: 4 })
  async onSegment(p: MessageOf<'segment.stored'>, ctx: JetStreamContext): Promise<void> {
    const probe = this.probe;
    probe.running++;
    probe.maxRunning = Math.max(probe.maxRunning, probe.running);
    try {
      probe.seqs.push(ctx.streamSeq);
      const attempt = (probe.attempts.get(ctx.messageId) ?? 0) + 1;
      probe.attempts.set(ctx.messageId, attempt);
      expect(ctx.deliveryCount).toBe(attempt);
      const behaviour = probe.behaviours.get(p.recordingId) ?? 'ok';
      if (behaviour === 'slow') await new Promise((r) => setTimeout(r, 25));
      if (behaviour === 'fail-once' && attempt === 1) throw new Error('transient failure');
      if (behaviour === 'fail-always') throw new Error('always broken');
      if (behaviour === 'permanent') throw new PermanentError('recording unknown');
      // Idempotent effect: a redelivery of a processed message would change nothing.
      if (!probe.effects.has(ctx.messageId)) probe.effects.set(ctx.messageId, p.seq);
    } finally {
      probe.running--;
    }
  }

  @OnRequest('policy.evaluate')
  async evaluate(req: RequestOf<'policy.evaluate'>): Promise<ReplyOf<'policy.evaluate'>> {
    await Promise.resolve();
    if (req.user === 'boom') throw new Error('policy store down');
    if (req.user === 'bad-reply') return { v: 1 } as unknown as ReplyOf<'policy.evaluate'>;
    return { v: 1, decision: 'record', ruleId: `rule-for-${req.user}`, policyVersion: 3 };
  }
}

jest.setTimeout(60_000);

describe('JetStreamServer in a Nest application', () => {
  const ns = uniqueTestName('messaging-consume');
  const options = testOptions(ns);
  const segments = streamName(ns, 'SEGMENTS');
  const durable = 'testsvc-segment-stored';
  let app: INestApplication;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let probe: Probe;
  let messaging: Messaging;

  @Module({
    imports: [MessagingModule.forRoot(options)],
    controllers: [Handlers],
    providers: [Probe],
  })
  class AppModule {}

  beforeAll(async () => {
    nc = await connectTestNats();
    jsm = await jetstreamManager(nc);
    app = await NestFactory.create(AppModule, new FastifyAdapter(), { logger: nestLogger });
    app.connectMicroservice(
      { strategy: new JetStreamServer(app.get(MessagingConnection)) },
      { inheritAppConfig: true },
    );
    await app.init();
    await app.startAllMicroservices();
    probe = app.get(Probe);
    messaging = app.get(Messaging);
  });

  afterAll(async () => {
    await app.close();
    await deleteNamespaceStreams(nc, ns);
    await nc.close();
  });

  async function deadLetters() {
    return readStream(nc, ns, 'DEADLETTER');
  }

  async function deadLetterFor(seq: number) {
    await waitFor(
      async () =>
        (await deadLetters()).some((m) => m.header.get(HEADERS.dlqStreamSeq) === `${seq}`),
      20_000,
      `dead letter of seq ${seq}`,
    );
    const all = await deadLetters();
    return all.find((m) => m.header.get(HEADERS.dlqStreamSeq) === `${seq}`)!;
  }

  async function settled(): Promise<boolean> {
    const info = await jsm.consumers.info(segments, durable);
    return info.num_pending === 0 && info.num_ack_pending === 0;
  }

  it('created the durable pull consumer declared by @OnMessage', async () => {
    const info = await jsm.consumers.info(segments, durable);
    expect(info.config).toMatchObject({
      filter_subject: `${ns}.segment.stored`,
      ack_policy: 'explicit',
      max_ack_pending: 4,
    });
  });

  it('acks a valid message after its handler ran', async () => {
    const p = segmentStored(1);
    await messaging.publish('segment.stored', p);
    const id = `segment:${p.recordingId}:1`;
    await waitFor(() => probe.effects.has(id), 20_000, 'handler effect');
    await waitFor(settled, 20_000, 'ack');
    expect(probe.attempts.get(id)).toBe(1);
  });

  it('dead-letters a payload that fails its schema, with reason and original headers', async () => {
    const js = jetstream(nc);
    const h = natsHeaders();
    h.set('X-Origin', 'raw-test');
    h.set(HEADERS.messageType, 'segment.stored');
    const raw = new TextEncoder().encode(JSON.stringify({ v: 1, recordingId: 'nope' }));
    const ack = await js.publish(`${ns}.segment.stored`, raw, { msgID: 'raw-bad-1', headers: h });

    const dl = await deadLetterFor(ack.seq);
    expect(dl.subject).toBe(`${ns}.dlq.segment.stored`);
    expect(dl.data).toEqual(raw);
    expect(dl.header.get('X-Origin')).toBe('raw-test');
    expect(dl.header.get(HEADERS.messageType)).toBe('segment.stored');
    expect(dl.header.get(HEADERS.dlqReason)).toMatch(/failed schema validation.*recordingId/);
    expect(dl.header.get(HEADERS.dlqSubject)).toBe(`${ns}.segment.stored`);
    expect(dl.header.get(HEADERS.dlqStream)).toBe(segments);
    expect(dl.header.get(HEADERS.dlqConsumer)).toBe(durable);
    expect(dl.header.get(HEADERS.dlqDeliveries)).toBe('1');
    expect(dl.header.get(DLQ_ORIGINAL_MESSAGE_ID)).toBe('raw-bad-1');
    expect(dl.header.get(HEADERS.messageId)).toBe(deadLetterMessageId(segments, ack.seq));
    expect(probe.seqs).not.toContain(ack.seq);

    // Dead-lettering the same stored message again is de-duplicated by JetStream.
    const again = await js.publish(`${ns}.dlq.segment.stored`, raw, {
      msgID: deadLetterMessageId(segments, ack.seq),
    });
    expect(again.duplicate).toBe(true);
    await waitFor(settled, 20_000, 'terminated message');
  });

  it('dead-letters invalid JSON and unknown schema versions with their reasons', async () => {
    const js = jetstream(nc);
    const notJson = await js.publish(`${ns}.segment.stored`, new TextEncoder().encode('{oops'));
    const v2 = await js.publish(
      `${ns}.segment.stored`,
      new TextEncoder().encode(JSON.stringify({ ...segmentStored(1), v: 2 })),
    );
    expect((await deadLetterFor(notJson.seq)).header.get(HEADERS.dlqReason)).toMatch(
      /^invalid JSON/,
    );
    expect((await deadLetterFor(v2.seq)).header.get(HEADERS.dlqReason)).toBe(
      'unknown schema version 2 for message segment.stored',
    );
  });

  it('redelivers a message whose handler failed, and its effect happens once', async () => {
    const p = segmentStored(2);
    probe.behaviours.set(p.recordingId, 'fail-once');
    const { seq } = await messaging.publish('segment.stored', p);
    const id = `segment:${p.recordingId}:2`;
    await waitFor(() => probe.effects.has(id), 20_000, 'effect after redelivery');
    await waitFor(settled, 20_000, 'ack');
    expect(probe.attempts.get(id)).toBe(2);
    expect([...probe.effects.keys()].filter((k) => k === id)).toHaveLength(1);
    expect((await deadLetters()).map((m) => m.header.get(HEADERS.dlqStreamSeq))).not.toContain(
      `${seq}`,
    );
  });

  it('dead-letters a message that fails on every delivery after maxDeliver tries', async () => {
    const p = segmentStored(3);
    probe.behaviours.set(p.recordingId, 'fail-always');
    const { seq } = await messaging.publish('segment.stored', p);
    const dl = await deadLetterFor(seq);
    expect(dl.header.get(HEADERS.dlqReason)).toBe('max deliveries exceeded: always broken');
    expect(dl.header.get(HEADERS.dlqDeliveries)).toBe('3');
    expect(probe.attempts.get(`segment:${p.recordingId}:3`)).toBe(3);
    expect(dl.json()).toEqual(p);
    await waitFor(settled, 20_000, 'terminated message');
  });

  it('dead-letters at once when the handler throws PermanentError', async () => {
    const p = segmentStored(4);
    probe.behaviours.set(p.recordingId, 'permanent');
    const { seq } = await messaging.publish('segment.stored', p);
    const dl = await deadLetterFor(seq);
    expect(dl.header.get(HEADERS.dlqReason)).toBe('permanent error: recording unknown');
    expect(probe.attempts.get(`segment:${p.recordingId}:4`)).toBe(1);
  });

  it('never runs more handlers at once than maxInFlight', async () => {
    probe.maxRunning = 0;
    const ids: string[] = [];
    for (let seq = 100; seq < 124; seq++) {
      const p = segmentStored(seq);
      probe.behaviours.set(p.recordingId, 'slow');
      ids.push(`segment:${p.recordingId}:${seq}`);
      await messaging.publish('segment.stored', p);
    }
    await waitFor(() => ids.every((id) => probe.effects.has(id)), 30_000, 'all 24 effects');
    expect(probe.maxRunning).toBeGreaterThanOrEqual(1);
    expect(probe.maxRunning).toBeLessThanOrEqual(4);
  });

  it('answers requests, validated on both sides', async () => {
    const reply = await messaging.request('policy.evaluate', policyRequest('alice'), {
      timeoutMs: 5_000,
    });
    expect(reply).toEqual({ v: 1, decision: 'record', ruleId: 'rule-for-alice', policyVersion: 3 });

    await expect(
      messaging.request('policy.evaluate', { ...policyRequest(), user: '' }, { timeoutMs: 5_000 }),
    ).rejects.toBeInstanceOf(SchemaValidationError);

    const failed = await messaging
      .request('policy.evaluate', policyRequest('boom'), { timeoutMs: 5_000 })
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(RequestFailedError);
    expect(failed).toMatchObject({ code: 'handler-failed', remoteMessage: 'policy store down' });

    await expect(
      messaging.request('policy.evaluate', policyRequest('bad-reply'), { timeoutMs: 5_000 }),
    ).rejects.toMatchObject({ name: 'RequestFailedError', code: 'invalid-reply' });

    const raw = await nc.request(`${ns}.rpc.policy.evaluate`, new TextEncoder().encode('{}'), {
      timeout: 5_000,
    });
    expect(raw.headers?.get(RPC_ERROR_HEADER)).toBe('invalid-request');
  });

  it('times out with RequestTimeoutError when nobody answers', async () => {
    const lonely = new MessagingConnection(resolveOptions(testOptions(uniqueTestName('lonely'))));
    try {
      await expect(
        new Messaging(lonely).request('policy.evaluate', policyRequest(), { timeoutMs: 500 }),
      ).rejects.toBeInstanceOf(RequestTimeoutError);
    } finally {
      await lonely.close();
    }
  });
});
