import type { NatsConnection } from '@nats-io/nats-core';
import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { context, propagation, type SpanContext, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { HEADERS, type MessageOf } from '@sessionrec/contracts';
import {
  connectTestNats,
  deleteNamespaceStreams,
  readStream,
  uniqueTestName,
  waitFor,
} from '@sessionrec/testing';
import {
  type JetStreamBatchContext,
  type JetStreamContext,
  JetStreamServer,
  Messaging,
  MessagingConnection,
  OnMessage,
  OnMessages,
  resolveOptions,
} from '../src';
import { nestLogger, segmentStored, testOptions } from './fixtures';

const seen: { active?: SpanContext; traceparent?: string }[] = [];
const batchSeen: { active?: SpanContext; size: number }[] = [];

@Controller()
class TracedHandlers {
  @OnMessage('segment.stored')
  async onSegment(_p: MessageOf<'segment.stored'>, ctx: JetStreamContext): Promise<void> {
    seen.push({
      active: trace.getActiveSpan()?.spanContext(),
      traceparent: ctx.headers[HEADERS.traceparent],
    });
    return Promise.resolve();
  }

  @OnMessages('segment.stored', { durable: 'testsvc-segment-batch' })
  async onSegments(p: MessageOf<'segment.stored'>[], ctx: JetStreamBatchContext): Promise<void> {
    batchSeen.push({ active: trace.getActiveSpan()?.spanContext(), size: ctx.size });
    expect(p).toHaveLength(ctx.size);
    return Promise.resolve();
  }
}

@Module({ controllers: [TracedHandlers] })
class TracedModule {}

jest.setTimeout(60_000);

describe('trace context across JetStream', () => {
  const ns = uniqueTestName('messaging-trace');
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let nc: NatsConnection;
  let connection: MessagingConnection;
  let worker: INestMicroservice;

  beforeAll(async () => {
    provider.register();
    nc = await connectTestNats();
    connection = new MessagingConnection(resolveOptions(testOptions(ns)));
    await new Messaging(connection).ensureStreams();
    worker = await NestFactory.createMicroservice(TracedModule, {
      strategy: new JetStreamServer(connection),
      logger: nestLogger,
    });
    await worker.listen();
  });

  afterAll(async () => {
    await worker.close();
    await connection.close();
    await deleteNamespaceStreams(nc, ns);
    await nc.close();
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it('runs the handler in a consumer span whose parent is the producer span', async () => {
    const messaging = new Messaging(connection);
    const tracer = trace.getTracer('test');
    const root = await tracer.startActiveSpan('POST /segments', async (span) => {
      await messaging.publish('segment.stored', segmentStored(1));
      span.end();
      return span.spanContext();
    });
    await waitFor(() => seen.length === 1, 20_000, 'handler call');

    const spans = exporter.getFinishedSpans();
    const producer = spans.find((s) => s.kind === SpanKind.PRODUCER);
    await waitFor(
      () => exporter.getFinishedSpans().some((s) => s.kind === SpanKind.CONSUMER),
      20_000,
      'consumer span',
    );
    const consumer = exporter
      .getFinishedSpans()
      .find((s) => s.kind === SpanKind.CONSUMER && s.name === `process ${ns}.segment.stored`);

    expect(producer?.name).toBe(`send ${ns}.segment.stored`);
    expect(producer?.spanContext().traceId).toBe(root.traceId);
    expect(producer?.parentSpanContext?.spanId).toBe(root.spanId);

    const [stored] = await readStream(nc, ns, 'SEGMENTS');
    const traceparent = stored?.header.get(HEADERS.traceparent);
    expect(traceparent).toBe(`00-${root.traceId}-${producer?.spanContext().spanId}-01`);
    expect(seen[0]?.traceparent).toBe(traceparent);

    expect(consumer?.name).toBe(`process ${ns}.segment.stored`);
    expect(consumer?.spanContext().traceId).toBe(root.traceId);
    expect(consumer?.parentSpanContext?.spanId).toBe(producer?.spanContext().spanId);
    expect(seen[0]?.active?.spanId).toBe(consumer?.spanContext().spanId);
  });

  it('runs a batch handler in one root consumer span linked to every producer span', async () => {
    // The first test's message also went through the batch consumer: let its span end.
    await waitFor(
      () => exporter.getFinishedSpans().some((s) => s.name === 'process segment.stored'),
      20_000,
      'batch span of the first message',
    );
    exporter.reset();
    batchSeen.length = 0;
    const messaging = new Messaging(connection);
    const tracer = trace.getTracer('test');
    await tracer.startActiveSpan('POST /segments', async (span) => {
      await Promise.all(
        [1, 2, 3].map((seq) => messaging.publish('segment.stored', segmentStored(seq))),
      );
      span.end();
    });
    await waitFor(
      () => batchSeen.reduce((n, b) => n + b.size, 0) === 3,
      20_000,
      'three messages through the batch handler',
    );
    const isBatch = (s: { kind: SpanKind; name: string }) =>
      s.kind === SpanKind.CONSUMER && s.name === 'process segment.stored';
    await waitFor(
      () => exporter.getFinishedSpans().filter(isBatch).length === batchSeen.length,
      20_000,
      'batch consumer spans',
    );
    const producers = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.PRODUCER);
    const batches = exporter.getFinishedSpans().filter(isBatch);
    expect(producers).toHaveLength(3);
    const linked = batches.flatMap((b) => b.links.map((l) => l.context.spanId)).sort();
    expect(linked).toEqual(producers.map((p) => p.spanContext().spanId).sort());
    for (const b of batches) {
      expect(b.parentSpanContext).toBeUndefined();
      expect(b.attributes['messaging.batch.message_count']).toBe(b.links.length);
      expect(b.attributes['messaging.consumer.group.name']).toBe('testsvc-segment-batch');
    }
    expect(batchSeen.map((b) => b.active?.spanId).sort()).toEqual(
      batches.map((b) => b.spanContext().spanId).sort(),
    );
  });
});
