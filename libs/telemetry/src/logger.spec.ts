import { Writable } from 'node:stream';
import { trace } from '@opentelemetry/api';
import { createLogger } from './logger';
import { startTelemetry, type TelemetryHandle } from './sdk';

function capture(): {
  stream: Writable;
  lines: () => Record<string, unknown>[];
  text: () => string;
} {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const text = () => chunks.join('');
  const lines = () =>
    text()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { stream, lines, text };
}

describe('createLogger redaction', () => {
  const secrets = ['Bearer abc.def.ghi', 'hunter2', 's3cr3tpw', 'agent-cred-123', 'tok-999'];

  it('never writes the secrets of headers, fields, URLs or errors', () => {
    const out = capture();
    const logger = createLogger({ serviceName: 'test', logLevel: 'info' }, out.stream);

    logger.info(
      {
        req: {
          method: 'GET',
          headers: {
            authorization: 'Bearer abc.def.ghi',
            cookie: 'session=hunter2',
            'x-agent-credential': 'agent-cred-123',
          },
        },
        user: { name: 'alice', password: 'hunter2' },
        nested: { deeper: { apiToken: 'tok-999' } },
        config: { DATABASE_URL: 'postgres://app:s3cr3tpw@db:5432/sessionrec' },
      },
      'request',
    );
    logger.info('connecting to %s', 'postgres://app:s3cr3tpw@db:5432/sessionrec');
    logger.warn('connecting to postgres://app:s3cr3tpw@db:5432/sessionrec failed');
    logger.error(
      { err: new Error('connect ECONNREFUSED postgres://app:s3cr3tpw@db:5432/x') },
      'database down',
    );

    const text = out.text();
    for (const secret of secrets) expect(text).not.toContain(secret);
    const [first, second, third, fourth] = out.lines();
    expect(first).toMatchObject({
      req: { headers: { authorization: '[Redacted]', 'x-agent-credential': '[Redacted]' } },
      user: { name: 'alice', password: '[Redacted]' },
      nested: { deeper: { apiToken: '[Redacted]' } },
      config: { DATABASE_URL: 'postgres://app:***@db:5432/sessionrec' },
    });
    expect(second?.msg).toBe('connecting to postgres://app:***@db:5432/sessionrec');
    expect(third?.msg).toBe('connecting to postgres://app:***@db:5432/sessionrec failed');
    expect(fourth?.err).toMatchObject({
      message: 'connect ECONNREFUSED postgres://app:***@db:5432/x',
    });
  });

  it('writes JSON with level name, time, service and message', () => {
    const out = capture();
    createLogger({ serviceName: 'ingest', logLevel: 'info' }, out.stream).info({ n: 1 }, 'hello');
    const [line] = out.lines();
    expect(line).toMatchObject({ level: 'info', service: 'ingest', msg: 'hello', n: 1 });
    expect(typeof line?.time).toBe('string');
    expect(line).not.toHaveProperty('trace_id');
  });

  it('does not mutate the object it logs', () => {
    const out = capture();
    const fields = { user: { password: 'hunter2' } };
    createLogger({ serviceName: 'test', logLevel: 'info' }, out.stream).info(fields, 'x');
    expect(fields.user.password).toBe('hunter2');
  });
});

describe('createLogger trace ids', () => {
  let telemetry: TelemetryHandle;

  beforeEach(() => {
    telemetry = startTelemetry({ serviceName: 'test', metricsEnabled: false });
  });

  afterEach(async () => {
    await telemetry.shutdown();
  });

  it('adds trace_id and span_id of the active span', async () => {
    const out = capture();
    const logger = createLogger({ serviceName: 'test', logLevel: 'info' }, out.stream);
    const tracer = trace.getTracer('test');
    const ids = await tracer.startActiveSpan('work', async (span) => {
      await Promise.resolve();
      logger.info('inside');
      span.end();
      return span.spanContext();
    });
    logger.info('outside');

    const [inside, outside] = out.lines();
    expect(inside).toMatchObject({ trace_id: ids.traceId, span_id: ids.spanId });
    expect(ids.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(outside).not.toHaveProperty('trace_id');
  });
});
