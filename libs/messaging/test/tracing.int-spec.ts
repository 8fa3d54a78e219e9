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
  type JetStreamContext,
  JetStreamServer,
  Messaging,
  MessagingConnection,
  OnMessage,
  resolveOptions,
} from '../src';
import { nestLogger, segmentStored, testOptions } from './fixtures';

const seen: { active?: SpanContext; traceparent?: string }[] = [];

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
    const consumer = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.CONSUMER);

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
});
