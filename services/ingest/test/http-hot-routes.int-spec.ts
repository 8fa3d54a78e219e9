/**
 * The hot routes (segment upload, event and metric batches, combined batches) are served
 * by a Fastify instance of their own, apart from Nest and its middleware: a Nest middleware
 * applied to every route sees the controllers' requests and none of theirs, while they
 * still answer, and fail, as before.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { uniqueTestName } from '@sessionrec/testing';
import { INGEST_SERVICE } from '../src/ingest-service';
import { IngestModule } from '../src/ingest.module';
import {
  type Agent,
  enrolAgent,
  type HttpIngest,
  postJson,
  putSegment,
  startHttpIngest,
  startSessionWithRecording,
} from './http-harness';

/** Every request a Nest middleware on all routes was given, as "METHOD /path". */
const seenByMiddleware: string[] = [];

@Module({ imports: [IngestModule] })
class IngestWithMiddlewareOnAllRoutes implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(
        (
          req: IncomingMessage & { originalUrl?: string },
          _res: ServerResponse,
          next: () => void,
        ) => {
          // middie keeps the request's own URL here (a middleware may be given it stripped).
          seenByMiddleware.push(`${req.method} ${(req.originalUrl ?? '').split('?')[0]}`);
          next();
        },
      )
      .forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}

describe('hot routes outside Nest middleware', () => {
  let ingest: HttpIngest;
  let agent: Agent;

  beforeAll(async () => {
    ingest = await startHttpIngest(
      uniqueTestName('http_hot'),
      {},
      { ...INGEST_SERVICE, module: IngestWithMiddlewareOnAllRoutes },
    );
    agent = await enrolAgent(ingest);
  });

  afterAll(async () => {
    await ingest.cleanup();
  });

  it('serves the hot routes without Nest middleware, and the controllers with it', async () => {
    const { sessionId, recordingId } = await startSessionWithRecording(ingest, agent);
    seenByMiddleware.length = 0;

    const segment = await putSegment(ingest, agent.auth, recordingId, {
      seq: 0,
      body: Buffer.from('{"version": 2, "width": 80, "height": 24}\n'),
    });
    expect(segment.status).toBe(201);
    const event = {
      eventId: randomUUID(),
      type: 'app.start',
      at: '2030-05-06T07:08:11.000Z',
      offsetMs: 10,
      attributes: { name: 'xterm' },
    };
    const events = await postJson(
      ingest,
      `/sessions/${sessionId}/events`,
      { events: [event] },
      agent.auth,
    );
    expect(events.status).toBe(202);
    const combined = await postJson(
      ingest,
      '/batches',
      {
        batches: [
          {
            sessionId,
            kind: 'events',
            batch: { events: [{ ...event, eventId: randomUUID() }] },
          },
        ],
      },
      agent.auth,
    );
    expect(combined.status).toBe(200);
    expect(await combined.json()).toEqual({ results: [{ status: 202, accepted: 1 }] });
    expect(seenByMiddleware).toEqual([]);

    const ended = await postJson(
      ingest,
      `/sessions/${sessionId}/end`,
      { endedAt: '2030-05-06T07:09:00.000Z', reason: 'logoff' },
      agent.auth,
    );
    expect(ended.status).toBeLessThan(300);
    expect(seenByMiddleware).toEqual([`POST /agent/v1/sessions/${sessionId}/end`]);
  });

  it('keeps the HTTP server settings Fastify gives its own server', () => {
    const server = ingest.service.app.getHttpServer() as Server;
    // Agents keep their connections open between uploads: not Node's 5 s default.
    expect(server.keepAliveTimeout).toBe(72_000);
  });

  it('answers the hot routes’ own failures in the protocol’s error format', async () => {
    const { sessionId } = await startSessionWithRecording(ingest, agent);
    seenByMiddleware.length = 0;

    const invalidJson = await postJson(
      ingest,
      `/sessions/${sessionId}/events`,
      '{"events": [',
      agent.auth,
    );
    expect(invalidJson.status).toBe(400);
    expect(await invalidJson.json()).toMatchObject({ error: { code: 'validation' } });

    const unauthenticated = await postJson(ingest, `/sessions/${sessionId}/events`, {
      events: [],
    });
    expect(unauthenticated.status).toBe(401);
    expect(await unauthenticated.json()).toMatchObject({ error: { code: 'unauthorized' } });
    expect(seenByMiddleware).toEqual([]);
  });
});
