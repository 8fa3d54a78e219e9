/**
 * POST /agent/v1/batches: the event and metric batches of several sessions in one
 * request, each published once and answered on its own (a refused or malformed batch
 * does not fail the others); a malformed envelope is refused whole, and nothing is
 * published; when NATS is gone every batch answers 503 with Retry-After.
 */
import { randomUUID } from 'node:crypto';
import { agentProtocol } from '@sessionrec/contracts';
import { uniqueTestName } from '@sessionrec/testing';
import {
  type Agent,
  closeServiceNats,
  enrolAgent,
  type HttpIngest,
  postJson,
  startHttpIngest,
  startSessionWithRecording,
  streamMessages,
} from './http-harness';

type ErrorBody = { error: { code: string; message: string } };
type Results = { results: agentProtocol.BatchResult[] };

function event(type = 'app.start', name = 'x'): Record<string, unknown> {
  return {
    eventId: randomUUID(),
    type,
    at: '2030-05-06T07:08:11.000Z',
    offsetMs: 10,
    attributes: { name },
  };
}

function sample(): Record<string, unknown> {
  return {
    sampleId: randomUUID(),
    at: '2030-05-06T07:08:12.000Z',
    offsetMs: 3000,
    rttMs: 12.5,
    jitterMs: 1.2,
    retransmits: 0,
    throughputBps: 1_000_000,
  };
}

describe('combined batches of many sessions', () => {
  let ingest: HttpIngest;
  let agent: Agent;
  let other: Agent;

  beforeAll(async () => {
    ingest = await startHttpIngest(uniqueTestName('http_combined'));
    [agent, other] = await Promise.all([enrolAgent(ingest), enrolAgent(ingest)]);
  });

  afterAll(async () => {
    await ingest.cleanup();
  });

  it('publishes the batches of several sessions once each, however often the request is sent', async () => {
    const a = await startSessionWithRecording(ingest, agent);
    const b = await startSessionWithRecording(ingest, agent, 'screen');
    const aEvents = [event('app.start', 'a1'), event('privilege.use', 'a2')];
    const bEvents = [event('app.start', 'b1')];
    const aSamples = [sample(), sample()];
    const request = {
      batches: [
        { kind: 'events', sessionId: a.sessionId, batch: { events: aEvents } },
        { kind: 'metrics', sessionId: a.sessionId, batch: { samples: aSamples } },
        { kind: 'events', sessionId: b.sessionId, batch: { events: bEvents } },
      ],
    };
    for (let i = 0; i < 2; i++) {
      const res = await postJson(ingest, '/batches', request, agent.auth);
      expect(res.status).toBe(200);
      expect(res.headers.get('retry-after')).toBeNull();
      expect(await res.json()).toEqual({
        results: [
          { status: 202, accepted: 2 },
          { status: 202, accepted: 2 },
          { status: 202, accepted: 1 },
        ],
      });
    }
    const events = await streamMessages(ingest, 'EVENTS');
    const ofSession = (id: string): unknown[] =>
      events.filter((m) => m.data.sessionId === id).map((m) => m.data.eventId);
    expect(ofSession(a.sessionId).sort()).toEqual(aEvents.map((e) => e.eventId).sort());
    expect(ofSession(b.sessionId)).toEqual([bEvents[0]?.eventId]);
    expect(events.find((m) => m.data.sessionId === b.sessionId)?.data).toMatchObject({
      v: 1,
      agentId: agent.agentId,
      type: 'app.start',
    });
    const metrics = (await streamMessages(ingest, 'METRICS')).filter(
      (m) => m.data.sessionId === a.sessionId,
    );
    expect(metrics.map((m) => m.data.sampleId).sort()).toEqual(
      aSamples.map((s) => s.sampleId).sort(),
    );
  });

  it("answers each batch on its own: another agent's, an unknown and a malformed session batch beside a good one", async () => {
    const mine = await startSessionWithRecording(ingest, agent);
    const theirs = await startSessionWithRecording(ingest, other);
    const good = event('app.start', 'good');
    const foreign = event('app.start', 'foreign');
    const res = await postJson(
      ingest,
      '/batches',
      {
        batches: [
          { kind: 'events', sessionId: theirs.sessionId, batch: { events: [foreign] } },
          { kind: 'events', sessionId: randomUUID(), batch: { events: [event()] } },
          {
            kind: 'events',
            sessionId: mine.sessionId,
            batch: { events: [{ ...event(), type: 'no.such.type' }] },
          },
          { kind: 'metrics', sessionId: mine.sessionId, batch: { events: [event()] } },
          { kind: 'events', sessionId: mine.sessionId, batch: { events: [good] } },
        ],
      },
      agent.auth,
    );
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as Results;
    expect(results.map((r) => r.status)).toEqual([403, 404, 400, 400, 202]);
    const messages = results.map((r) => ('error' in r ? r.error.message : ''));
    expect(messages[2]).toContain('body.batches.2.batch.events.0.type');
    expect(messages[3]).toContain('body.batches.3.batch');
    const events = await streamMessages(ingest, 'EVENTS');
    const ids = events.map((m) => m.data.eventId);
    expect(ids).toContain(good.eventId);
    expect(ids).not.toContain(foreign.eventId);
    expect(events.filter((m) => m.data.sessionId === theirs.sessionId)).toHaveLength(0);
  });

  it('refuses a malformed, unauthenticated, oversized or too long request whole, publishing nothing', async () => {
    const { sessionId } = await startSessionWithRecording(ingest, agent);
    const marker = event('app.start', 'must-not-arrive');
    const valid = { kind: 'events', sessionId, batch: { events: [marker] } };
    const unauthenticated = await postJson(ingest, '/batches', { batches: [valid] });
    expect(unauthenticated.status).toBe(401);
    const forged = await postJson(ingest, '/batches', { batches: [valid] }, 'Bearer forged');
    expect(forged.status).toBe(401);

    const cases: { body: unknown; field: string }[] = [
      { body: '{"batches": [', field: '' },
      { body: { batches: [] }, field: 'body.batches' },
      { body: { batches: [{ ...valid, kind: 'segments' }] }, field: 'body.batches.0.kind' },
      { body: { batches: [{ ...valid, sessionId: '../x' }] }, field: 'body.batches.0.sessionId' },
      { body: { batches: [{ ...valid, extra: 1 }] }, field: 'body.batches.0' },
      { body: { batches: [valid], more: true }, field: 'body' },
      {
        body: {
          batches: Array.from({ length: agentProtocol.MAX_BATCHES_PER_REQUEST + 1 }, () => valid),
        },
        field: 'body.batches',
      },
    ];
    for (const c of cases) {
      const res = await postJson(ingest, '/batches', c.body, agent.auth);
      expect({ field: c.field, status: res.status }).toEqual({ field: c.field, status: 400 });
      const body = (await res.json()) as ErrorBody;
      expect(body.error.code).toBe('validation');
      expect(body.error.message).toContain(c.field);
    }
    const huge = {
      batches: [
        {
          ...valid,
          batch: {
            events: [event('app.start', 'x'.repeat(agentProtocol.MAX_BATCHES_REQUEST_BYTES))],
          },
        },
      ],
    };
    const tooLarge = await postJson(ingest, '/batches', huge, agent.auth);
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as ErrorBody).error.code).toBe('payload_too_large');

    const events = await streamMessages(ingest, 'EVENTS');
    expect(events.map((m) => m.data.eventId)).not.toContain(marker.eventId);
  });

  // Last: it closes the service's NATS connection.
  it('answers 503 for every batch, with Retry-After, when NATS is unavailable', async () => {
    const { sessionId } = await startSessionWithRecording(ingest, agent);
    await closeServiceNats(ingest);
    const res = await postJson(
      ingest,
      '/batches',
      {
        batches: [
          { kind: 'events', sessionId, batch: { events: [event()] } },
          { kind: 'metrics', sessionId, batch: { samples: [sample()] } },
        ],
      },
      agent.auth,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    const { results } = (await res.json()) as Results;
    expect(results).toEqual([
      { status: 503, error: { code: 'unavailable', message: expect.any(String) as string } },
      { status: 503, error: { code: 'unavailable', message: expect.any(String) as string } },
    ]);
  });
});
