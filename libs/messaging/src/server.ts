/**
 * The Nest custom transport: binds every @OnMessage handler to its own durable pull
 * consumer and every @OnRequest handler to a queue-group subscription, and shuts
 * them down without losing a message.
 *
 *   app.connectMicroservice({ strategy: new JetStreamServer(app.get(MessagingConnection)) })
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import {
  filterOf,
  fullSubject,
  type MessageContract,
  MESSAGES,
  STREAMS,
  streamName,
} from '@sessionrec/contracts';
import { MessagingConnection } from './connection';
import { ensureConsumer } from './consumer-setup';
import { DeadLetterPublisher } from './dead-letter';
import {
  BINDING_EXTRAS_KEY,
  type Binding,
  JETSTREAM_TRANSPORT,
  type MessageBinding,
} from './decorators';
import { MessagingConfigError } from './errors';
import { type MessagingOptions, type ResolvedMessagingOptions, resolveOptions } from './options';
import { RequestResponder } from './rpc';
import { ConsumerRunner, type RunnerConfig } from './runner';
import { ensureStreams } from './stream-setup';

const PULL_EXPIRES_MS = 5_000;
const NAME_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

export class JetStreamServer extends Server implements CustomTransportStrategy {
  override transportId = JETSTREAM_TRANSPORT;
  private readonly log = new Logger(JetStreamServer.name);
  private readonly connection: MessagingConnection;
  /** A server built from options owns its connection and closes it. */
  private readonly ownsConnection: boolean;
  private runners: ConsumerRunner[] = [];
  private responder?: RequestResponder;
  private nc?: NatsConnection;
  private closing?: Promise<void>;

  constructor(source: MessagingOptions | MessagingConnection) {
    super();
    this.ownsConnection = !(source instanceof MessagingConnection);
    this.connection =
      source instanceof MessagingConnection
        ? source
        : new MessagingConnection(resolveOptions(source));
  }

  listen(callback: (...optionalParams: unknown[]) => unknown): void {
    this.start().then(
      () => callback(),
      async (err: unknown) => {
        await this.close().catch(() => undefined);
        callback(err);
      },
    );
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  on(): never {
    throw new Error('JetStreamServer emits no events; use MessagingConnection.health()');
  }

  unwrap<T>(): T {
    if (!this.nc) throw new Error('JetStreamServer is not listening yet');
    return this.nc as T;
  }

  private async start(): Promise<void> {
    const o = this.connection.options;
    const { nc, js, jsm } = await this.connection.connect();
    this.nc = nc;
    if (o.ensureStreamsOnStart) await ensureStreams(jsm, o);
    const deadLetter = new DeadLetterPublisher(js, o.namespace, o.publishTimeoutMs);
    const runners: ConsumerRunner[] = [];
    const requests: [Binding & { kind: 'request' }, MessageHandler][] = [];
    for (const [pattern, handler] of this.getHandlers()) {
      const binding = bindingOf(handler);
      if (!binding) {
        this.log.warn(`handler ${pattern} ignored: use @OnMessage or @OnRequest`);
        continue;
      }
      if (handler.next) {
        throw new MessagingConfigError(
          `two handlers share the consumer of ${pattern}: give each @OnMessage its own durable`,
        );
      }
      if (binding.kind === 'request') {
        requests.push([binding, handler]);
        continue;
      }
      const cfg = runnerConfig(binding, o);
      const contract = MESSAGES[binding.type] as MessageContract;
      const filter = binding.filter ?? filterOf(binding.type);
      const state = await ensureConsumer(jsm, {
        stream: cfg.stream,
        durable: cfg.durable,
        filterSubject: fullSubject(o.namespace, filter),
        ackWaitMs: o.ackWaitMs,
        maxDeliver: cfg.maxDeliver,
        maxInFlight: cfg.maxInFlight,
        description: `${o.serviceName}: ${binding.type} (${contract.description})`,
      });
      this.log.log(`consumer ${cfg.stream}/${cfg.durable} ${state}, filter ${filter}`);
      const consumer = await js.consumers.get(cfg.stream, cfg.durable);
      runners.push(new ConsumerRunner(consumer, cfg, handler, deadLetter, this.log));
    }
    this.runners = runners;
    if (requests.length > 0) {
      this.responder = new RequestResponder(nc, o.namespace, o.serviceName, this.log);
      for (const [binding, handler] of requests) {
        this.responder.serve(binding.type, handler);
      }
    }
    for (const runner of runners) runner.start();
  }

  private async shutdown(): Promise<void> {
    const drainMs = this.connection.options.drainTimeoutMs;
    await Promise.all([...this.runners.map((r) => r.stop(drainMs)), this.responder?.stop(drainMs)]);
    if (this.ownsConnection) await this.connection.close();
  }
}

function bindingOf(handler: MessageHandler): Binding | undefined {
  const extras = handler.extras as Record<string, unknown> | undefined;
  return extras?.[BINDING_EXTRAS_KEY] as Binding | undefined;
}

/** Resolves a handler's consumer settings, rejecting names and filters that cannot work. */
export function runnerConfig(b: MessageBinding, o: ResolvedMessagingOptions): RunnerConfig {
  const contract = MESSAGES[b.type] as MessageContract;
  const typeFilter = filterOf(b.type);
  if (b.filter !== undefined) {
    const narrower = contract.route !== undefined && b.filter.startsWith(`${contract.subject}.`);
    const tokensOk = b.filter.split('.').every((t, i, all) => {
      if (t === '>') return i === all.length - 1;
      return t === '*' || /^[^.*>\s]+$/.test(t);
    });
    if (!(b.filter === typeFilter || narrower) || !tokensOk) {
      throw new MessagingConfigError(
        `filter "${b.filter}" of ${b.type} is not inside ${typeFilter}`,
      );
    }
  }
  const durable = b.durable ?? `${o.serviceName}-${b.type.replace(/\./g, '-')}`;
  if (!NAME_PATTERN.test(durable)) {
    throw new MessagingConfigError(`durable "${durable}": use letters, digits, "_" or "-"`);
  }
  const maxInFlight = b.maxInFlight ?? o.maxInFlight;
  const maxDeliver = b.maxDeliver ?? o.maxDeliver;
  const maxBatch = b.batch ? (b.maxBatch ?? maxInFlight) : undefined;
  if (maxBatch !== undefined && (!Number.isInteger(maxBatch) || maxBatch < 1)) {
    throw new MessagingConfigError(`maxBatch of ${durable} must be a positive integer`);
  }
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
    throw new MessagingConfigError(`maxInFlight of ${durable} must be a positive integer`);
  }
  if (!Number.isInteger(maxDeliver) || maxDeliver < 1) {
    throw new MessagingConfigError(`maxDeliver of ${durable} must be a positive integer`);
  }
  return {
    type: b.type,
    stream: streamName(o.namespace, STREAMS[contract.stream].name),
    durable,
    namespace: o.namespace,
    maxInFlight,
    maxDeliver,
    backoffMs: o.backoffMs,
    pullExpiresMs: PULL_EXPIRES_MS,
    ...(maxBatch !== undefined ? { maxBatch } : {}),
  };
}
