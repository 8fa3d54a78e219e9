/**
 * Boots a small Fastify Nest app with TelemetryModule and HealthModule on port 0; needs
 * no external service.
 */
import { Writable } from 'node:stream';
import {
  ConflictException,
  Controller,
  Get,
  Injectable,
  Module,
  type OnModuleInit,
  Param,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { metrics } from '@opentelemetry/api';
import { PinoLogger } from 'nestjs-pino';
import { HealthModule } from './health/health.module';
import { HealthRegistry } from './health/health.registry';
import { startTelemetry, type TelemetryHandle } from './sdk';
import { TelemetryModule } from './telemetry.module';

const state = { dependencyUp: false, hang: false };

@Injectable()
class FakeDependency implements OnModuleInit {
  constructor(private readonly health: HealthRegistry) {}

  onModuleInit(): void {
    this.health.register('dependency', async () => {
      if (state.hang) await new Promise((resolve) => setTimeout(resolve, 1000));
      if (!state.dependencyUp) {
        throw new Error('connect ECONNREFUSED postgres://app:s3cr3t@127.0.0.1:1/db');
      }
    });
  }
}

@Controller('work')
class WorkController {
  constructor(private readonly logger: PinoLogger) {}

  @Get()
  work(): { done: boolean } {
    metrics.getMeter('test').createCounter('sessionrec_test_work').add(3, { kind: 'demo' });
    this.logger.info('working');
    return { done: true };
  }
}

/** A hot route, logged by the light quiet-route logger instead of pino-http. */
@Controller('hot')
class HotController {
  constructor(private readonly logger: PinoLogger) {}

  @Get(':outcome')
  hot(@Param('outcome') outcome: string): { ok: boolean } {
    this.logger.info('hot work');
    if (outcome === 'conflict') throw new ConflictException('different bytes');
    return { ok: true };
  }
}

const logLines: Record<string, unknown>[] = [];
const destination = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n')) {
      if (line !== '') logLines.push(JSON.parse(line) as Record<string, unknown>);
    }
    done();
  },
});

@Module({
  imports: [
    TelemetryModule.forRoot({
      serviceName: 'telemetry-test',
      logLevel: 'info',
      destination,
      quietRoutes: ['hot/*rest'],
    }),
    HealthModule.forRoot({ checkTimeoutMs: 100 }),
  ],
  controllers: [WorkController, HotController],
  providers: [FakeDependency],
})
class TestAppModule {}

describe('TelemetryModule and HealthModule on Fastify', () => {
  let telemetry: TelemetryHandle;
  let app: NestFastifyApplication;
  let base: string;

  beforeAll(async () => {
    telemetry = startTelemetry({ serviceName: 'telemetry-test', metricsEnabled: true });
    app = await NestFactory.create<NestFastifyApplication>(TestAppModule, new FastifyAdapter(), {
      logger: false,
    });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  afterAll(async () => {
    await app.close();
    await telemetry.shutdown();
  });

  beforeEach(() => {
    state.dependencyUp = false;
    state.hang = false;
  });

  it('answers liveness while the process runs', async () => {
    const response = await fetch(`${base}/health/live`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('is not ready while a check fails, and says which and why without secrets', async () => {
    const response = await fetch(`${base}/health/ready`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 'unavailable',
      checks: {
        dependency: {
          status: 'down',
          error: 'connect ECONNREFUSED postgres://app:***@127.0.0.1:1/db',
        },
      },
    });
    expect(JSON.stringify(body)).not.toContain('s3cr3t');
  });

  it('counts a check that does not answer in time as failed', async () => {
    state.hang = true;
    state.dependencyUp = true;
    const response = await fetch(`${base}/health/ready`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      checks: { dependency: { status: 'down', error: 'did not answer within 100 ms' } },
    });
  });

  it('is ready once every check passes', async () => {
    state.dependencyUp = true;
    const response = await fetch(`${base}/health/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      checks: { dependency: { status: 'up' } },
    });
  });

  it('serves Prometheus text with an incremented counter and process metrics', async () => {
    expect((await fetch(`${base}/work`)).status).toBe(200);
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/^sessionrec_test_work_total\{kind="demo"\} 3$/m);
    expect(text).toContain('# TYPE sessionrec_test_work_total counter');
    expect(text).toMatch(/^process_memory_usage \d+$/m);
    expect(text).toMatch(/^process_cpu_time_total\{cpu_mode="user"\} [\d.]+$/m);
    // The request above is counted in the server-side duration histogram, by route.
    expect(text).toMatch(
      /^http_server_request_duration_count\{[^}]*http_route="\/work"[^}]*\} [1-9]\d*$/m,
    );
    expect(text).toMatch(/^http_server_request_duration_bucket\{[^}]*le="0.1"[^}]*\} \d+$/m);
  });

  it('logs the request inside a server span continuing the caller trace', async () => {
    logLines.length = 0;
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await fetch(`${base}/work?token=share-secret&page=2`, {
      headers: {
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
        authorization: 'Bearer top-secret-token',
      },
    });
    expect(response.status).toBe(200);
    const working = logLines.find((line) => line.msg === 'working');
    expect(working).toMatchObject({ service: 'telemetry-test', trace_id: traceId });
    const completed = logLines.find((line) => line.msg === 'request completed');
    expect(completed).toMatchObject({
      trace_id: traceId,
      req: {
        headers: { authorization: '[Redacted]' },
        url: '/work?token=%5BRedacted%5D&page=2',
        query: { token: '[Redacted]', page: '2' },
      },
    });
    expect(JSON.stringify(logLines)).not.toMatch(/top-secret-token|share-secret/);
  });

  it('logs a quiet route only when it fails, in the same shape, with its trace and no secrets', async () => {
    logLines.length = 0;
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const headers = {
      traceparent: `00-${traceId}-b7ad6b7169203331-01`,
      authorization: 'Bearer hot-secret-token',
    };
    expect((await fetch(`${base}/hot/fine`, { headers })).status).toBe(200);
    expect((await fetch(`${base}/hot/conflict?token=hot-share`, { headers })).status).toBe(409);
    await new Promise((resolve) => setImmediate(resolve));
    const requestLines = logLines.filter((line) => line.msg === 'request completed');
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({
      level: 'warn',
      trace_id: traceId,
      res: { statusCode: 409 },
      req: {
        method: 'GET',
        url: '/hot/conflict?token=%5BRedacted%5D',
        headers: { authorization: '[Redacted]' },
      },
    });
    expect(typeof requestLines[0]!.responseTime).toBe('number');
    // Logs made while handling it still carry the trace.
    expect(logLines.filter((line) => line.msg === 'hot work')).toEqual([
      expect.objectContaining({ trace_id: traceId }),
      expect.objectContaining({ trace_id: traceId }),
    ]);
    expect(JSON.stringify(logLines)).not.toMatch(/hot-secret-token|hot-share/);
  });

  it('answers 503 once shutdown has started', async () => {
    state.dependencyUp = true;
    app.get(HealthRegistry).markShuttingDown();
    const response = await fetch(`${base}/health/ready`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      status: 'unavailable',
      reason: 'shutting down',
    });
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
  });
});
