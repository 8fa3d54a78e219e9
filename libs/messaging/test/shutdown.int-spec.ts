import type { NatsConnection } from '@nats-io/nats-core';
import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MessageOf } from '@sessionrec/contracts';
import {
  connectTestNats,
  deleteNamespaceStreams,
  uniqueTestName,
  waitFor,
} from '@sessionrec/testing';
import {
  type JetStreamContext,
  JetStreamServer,
  Messaging,
  MessagingConnection,
  type MessagingOptions,
  OnMessage,
  resolveOptions,
} from '../src';
import { deferred, nestLogger, segmentStored, testOptions } from './fixtures';

/** Shared by every server instance of this suite, like a database would be. */
const shared = {
  effects: new Set<string>(),
  running: 0,
  blockSeq: -1,
  gate: deferred(),
  blockedStarted: deferred(),
};

@Controller()
class SlowHandlers {
  @OnMessage('segment.stored', { maxInFlight: 5 })
  async onSegment(p: MessageOf<'segment.stored'>, ctx: JetStreamContext): Promise<void> {
    shared.running++;
    try {
      if (p.seq === shared.blockSeq) {
        shared.blockedStarted.resolve();
        await shared.gate.promise;
      } else {
        await new Promise((r) => setTimeout(r, 20));
      }
      shared.effects.add(ctx.messageId);
    } finally {
      shared.running--;
    }
  }
}

@Module({ controllers: [SlowHandlers] })
class WorkerModule {}

jest.setTimeout(60_000);

describe('graceful shutdown of JetStreamServer', () => {
  const ns = uniqueTestName('messaging-shutdown');
  let nc: NatsConnection;
  let publisherConnection: MessagingConnection;
  let messaging: Messaging;

  async function startWorker(
    overrides: Partial<MessagingOptions> = {},
  ): Promise<INestMicroservice> {
    const app = await NestFactory.createMicroservice(WorkerModule, {
      strategy: new JetStreamServer(testOptions(ns, { ackWaitMs: 3_000, ...overrides })),
      logger: nestLogger,
    });
    await app.listen();
    return app;
  }

  async function publish(seqs: number[]): Promise<string[]> {
    const ids: string[] = [];
    for (const seq of seqs) {
      const p = segmentStored(seq);
      await messaging.publish('segment.stored', p);
      ids.push(`segment:${p.recordingId}:${seq}`);
    }
    return ids;
  }

  beforeAll(async () => {
    nc = await connectTestNats();
    publisherConnection = new MessagingConnection(resolveOptions(testOptions(ns)));
    messaging = new Messaging(publisherConnection);
    await messaging.ensureStreams();
  });

  afterAll(async () => {
    shared.gate.resolve();
    await publisherConnection.close();
    await deleteNamespaceStreams(nc, ns);
    await nc.close();
  });

  it('loses nothing when closed mid-way: a new instance finishes the rest', async () => {
    const ids = await publish(Array.from({ length: 40 }, (_, i) => i + 1));
    const first = await startWorker();
    await waitFor(() => shared.effects.size >= 10, 20_000, 'first instance to make progress');
    await first.close();
    // close() resolved only after the running handlers had finished.
    expect(shared.running).toBe(0);

    const second = await startWorker();
    try {
      await waitFor(() => ids.every((id) => shared.effects.has(id)), 30_000, 'all 40 effects');
    } finally {
      await second.close();
    }
    expect(ids.filter((id) => shared.effects.has(id))).toHaveLength(40);
    expect(shared.effects.size).toBe(40);
  });

  it('releases a handler that outlives the drain timeout so another instance redelivers it', async () => {
    shared.blockSeq = 500;
    const [blockedId] = await publish([500]);
    const first = await startWorker({ drainTimeoutMs: 200 });
    await shared.blockedStarted.promise;
    await first.close();
    expect(shared.effects.has(blockedId!)).toBe(false);

    shared.blockSeq = -1;
    const second = await startWorker();
    try {
      await waitFor(() => shared.effects.has(blockedId!), 20_000, 'redelivered message');
    } finally {
      await second.close();
      shared.gate.resolve();
    }
  });
});
