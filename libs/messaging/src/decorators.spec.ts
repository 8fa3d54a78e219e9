import 'reflect-metadata';
import {
  PATTERN_EXTRAS_METADATA,
  PATTERN_METADATA,
  TRANSPORT_METADATA,
} from '@nestjs/microservices/constants';
import type { MessageOf, ReplyOf, RequestOf } from '@sessionrec/contracts';
import type { JetStreamContext } from './context';
import { BINDING_EXTRAS_KEY, JETSTREAM_TRANSPORT, OnMessage, OnRequest } from './decorators';
import { MessagingConfigError, PermanentError } from './errors';
import { invokeHandler } from './handler-capture';
import { resolveOptions } from './options';
import { runnerConfig } from './server';

class Handlers {
  @OnMessage('segment.stored', { maxInFlight: 8 })
  async stored(_p: MessageOf<'segment.stored'>, _ctx: JetStreamContext): Promise<void> {
    await Promise.resolve();
    throw new PermanentError('kept');
  }

  /** A handler may ignore the context. */
  @OnMessage('session.ended', { durable: 'custom' })
  async ended(_p: MessageOf<'session.ended'>): Promise<void> {
    await Promise.resolve();
  }

  @OnRequest('policy.evaluate')
  async evaluate(_r: RequestOf<'policy.evaluate'>): Promise<ReplyOf<'policy.evaluate'>> {
    return Promise.resolve({ v: 1, decision: 'record', ruleId: 'r', policyVersion: 1 });
  }
}

// Compile-time proof (checked by `tsc -p tsconfig.json`): the pattern fixes the types.
export class Mistyped {
  // @ts-expect-error the payload of segment.stored is not a SessionEnded
  @OnMessage('segment.stored')
  async wrongPayload(_p: MessageOf<'session.ended'>, _ctx: JetStreamContext): Promise<void> {
    await Promise.resolve();
  }

  // @ts-expect-error a message handler must return a promise
  @OnMessage('segment.stored')
  notAsync(_p: MessageOf<'segment.stored'>): void {}

  // @ts-expect-error a request handler must return the reply type
  @OnRequest('policy.evaluate')
  async wrongReply(_r: RequestOf<'policy.evaluate'>): Promise<{ ok: boolean }> {
    return Promise.resolve({ ok: true });
  }
}

describe('handler decorators', () => {
  const proto = Handlers.prototype;

  it('register an event pattern bound to the JetStream transport with its binding', () => {
    const fn = proto.stored;
    expect(Reflect.getMetadata(PATTERN_METADATA, fn)).toEqual([
      { jetstream: 'segment.stored', durable: '' },
    ]);
    expect(Reflect.getMetadata(TRANSPORT_METADATA, fn)).toBe(JETSTREAM_TRANSPORT);
    expect(Reflect.getMetadata(PATTERN_EXTRAS_METADATA, fn)).toEqual({
      [BINDING_EXTRAS_KEY]: { kind: 'message', type: 'segment.stored', maxInFlight: 8 },
    });
    expect(fn.name).toBe('stored');
  });

  it('register a request pattern', () => {
    expect(Reflect.getMetadata(PATTERN_METADATA, proto.evaluate)).toEqual([
      { natsRequest: 'policy.evaluate' },
    ]);
  });

  it('keep the original error of a handler even when Nest replaces it', async () => {
    const handlers = new Handlers();
    const asNest = async (...args: unknown[]) => {
      try {
        return await (handlers.stored as (...a: unknown[]) => Promise<void>)(...args);
      } catch {
        return Promise.reject(new Error('Internal server error'));
      }
    };
    await expect(invokeHandler(asNest, {}, {})).rejects.toBeInstanceOf(PermanentError);
  });
});

describe('runnerConfig', () => {
  const o = resolveOptions({ url: 'nats://x', namespace: 'sessionrec', serviceName: 'indexer' });

  it('names the durable after the service and type, and takes per-handler limits', () => {
    expect(
      runnerConfig({ kind: 'message', type: 'segment.stored', maxInFlight: 8 }, o),
    ).toMatchObject({
      stream: 'SESSIONREC_SEGMENTS',
      durable: 'indexer-segment-stored',
      maxInFlight: 8,
      maxDeliver: 5,
    });
  });

  it('accepts a narrower filter of a routed type and rejects one outside it', () => {
    expect(() =>
      runnerConfig({ kind: 'message', type: 'event', filter: 'event.usb.*' }, o),
    ).not.toThrow();
    for (const filter of ['audit.>', 'event', 'event.>.x', 'eventx.y']) {
      expect(() => runnerConfig({ kind: 'message', type: 'event', filter }, o)).toThrow(
        MessagingConfigError,
      );
    }
    expect(() =>
      runnerConfig({ kind: 'message', type: 'segment.stored', filter: 'segment.stored.x' }, o),
    ).toThrow(MessagingConfigError);
  });

  it('gives batch handlers a batch size (maxInFlight unless set) and others none', () => {
    expect(runnerConfig({ kind: 'message', type: 'event', maxInFlight: 8 }, o).maxBatch).toBe(
      undefined,
    );
    expect(
      runnerConfig({ kind: 'message', type: 'event', maxInFlight: 8, batch: true }, o).maxBatch,
    ).toBe(8);
    expect(
      runnerConfig({ kind: 'message', type: 'event', batch: true, maxBatch: 3 }, o).maxBatch,
    ).toBe(3);
    expect(() =>
      runnerConfig({ kind: 'message', type: 'event', batch: true, maxBatch: 0 }, o),
    ).toThrow(MessagingConfigError);
  });

  it('rejects durable names NATS cannot hold', () => {
    expect(() =>
      runnerConfig({ kind: 'message', type: 'segment.stored', durable: 'a.b' }, o),
    ).toThrow(MessagingConfigError);
  });
});
