import { MessagingConfigError } from './errors';
import { redactUrl, resolveOptions } from './options';

describe('resolveOptions', () => {
  it('fills in the defaults', () => {
    const o = resolveOptions({
      url: 'nats://a:4222,nats://b:4222',
      namespace: 'sessionrec',
      serviceName: 'ingest',
    });
    expect(o).toMatchObject({
      servers: ['nats://a:4222', 'nats://b:4222'],
      duplicateWindowMs: 120_000,
      replicas: 1,
      ackWaitMs: 30_000,
      maxDeliver: 5,
      maxInFlight: 64,
      backoffMs: [1000, 2000, 4000, 8000, 16000, 32000, 60000],
      publishTimeoutMs: 5_000,
      publishWriteIntervalMs: 2,
      drainTimeoutMs: 10_000,
      ensureStreamsOnStart: true,
    });
  });

  it('lists every problem in one error, without the credentials', () => {
    let err: unknown;
    try {
      resolveOptions({
        url: [],
        namespace: 'Bad.NS',
        serviceName: 'has space',
        maxInFlight: 0,
        publishWriteIntervalMs: -1,
        pass: 'hunter2',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MessagingConfigError);
    const message = (err as Error).message;
    for (const field of [
      'url',
      'serviceName',
      'maxInFlight',
      'publishWriteIntervalMs',
      'Invalid namespace',
    ]) {
      expect(message).toContain(field);
    }
    expect(message).not.toContain('hunter2');
  });

  it('redacts credentials in URLs', () => {
    expect(redactUrl('nats://user:secret@host:4222')).toBe('nats://***@host:4222');
    expect(redactUrl('nats://host:4222')).toBe('nats://host:4222');
  });
});
