/**
 * Event and metric batches (published once each, even when re-sent), hostile and
 * malformed input (400 naming the field, 415), and 503 with Retry-After when the
 * service's NATS connection is gone, leaving nothing half-written.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { uniqueTestName } from '@sessionrec/testing';
import {
  type Agent,
  closeServiceNats,
  enrolAgent,
  type HttpIngest,
  postJson,
  putSegment,
  startHttpIngest,
  startSessionWithRecording,
  streamMessages,
} from './http-harness';

type ErrorBody = { error: { code: string; message: string } };

describe('agent batches, hostile input and unavailability', () => {
  let ingest: HttpIngest;
  let agent: Agent;

  beforeAll(async () => {
    ingest = await startHttpIngest(uniqueTestName('http_batches'));
    agent = await enrolAgent(ingest);
  });

  afterAll(async () => {
    await ingest.cleanup();
  });

  it('publishes each event and sample once, however often the batch is sent', async () => {
    const { sessionId, recordingId } = await startSessionWithRecording(ingest, agent);
    const events = Array.from({ length: 20 }, (_, i) => ({
      eventId: randomUUID(),
      type: i % 2 === 0 ? 'app.start' : 'privilege.use',
      at: '2030-05-06T07:08:11.000Z',
      offsetMs: i * 10,
      recordingId,
      attributes: { name: `app-${i}` },
    }));
    for (let i = 0; i < 2; i++) {
      const res = await postJson(ingest, `/sessions/${sessionId}/events`, { events }, agent.auth);
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ accepted: 20 });
    }
    const stored = (await streamMessages(ingest, 'EVENTS')).filter(
      (m) => m.data.sessionId === sessionId,
    );
    expect(stored).toHaveLength(20);
    expect(new Set(stored.map((m) => m.data.eventId))).toEqual(
      new Set(events.map((e) => e.eventId)),
    );
    expect(stored[0]?.data).toMatchObject({ v: 1, agentId: agent.agentId, sessionId });
    expect(stored.map((m) => m.subject)).toContain(`${ingest.name}.event.privilege.use`);

    const samples = [
      {
        sampleId: randomUUID(),
        at: '2030-05-06T07:08:12.000Z',
        offsetMs: 3000,
        rttMs: 12.5,
        jitterMs: 1.2,
        retransmits: 0,
        throughputBps: 1_000_000,
      },
    ];
    for (let i = 0; i < 2; i++) {
      const res = await postJson(ingest, `/sessions/${sessionId}/metrics`, { samples }, agent.auth);
      expect(res.status).toBe(202);
    }
    const metrics = (await streamMessages(ingest, 'METRICS')).filter(
      (m) => m.data.sessionId === sessionId,
    );
    expect(metrics.map((m) => m.data.sampleId)).toEqual([samples[0]?.sampleId]);
  });

  it('answers policy questions, with the failure mode when no policy service answers', async () => {
    const question = {
      sessionId: randomUUID(),
      user: 'alice',
      groups: ['admins'],
      host: 'db-01',
      protocol: 'terminal',
      at: '2030-05-06T07:08:09.000Z',
    };
    const unauthenticated = await postJson(ingest, '/policy/evaluate', question);
    expect(unauthenticated.status).toBe(401);
    const malformed = await postJson(
      ingest,
      '/policy/evaluate',
      { ...question, user: undefined, decision: 'record' },
      agent.auth,
    );
    expect(malformed.status).toBe(400);
    const { error } = (await malformed.json()) as ErrorBody;
    expect(error.message).toMatch(/user|decision/);
    // This suite runs no policy service: ingest's default failure mode decides, and says so.
    const answered = await postJson(ingest, '/policy/evaluate', question, agent.auth);
    expect(answered.status).toBe(200);
    expect(await answered.json()).toEqual({
      v: 1,
      decision: 'do-not-record',
      ruleId: 'failure-mode',
      policyVersion: 0,
    });
    // Detection has no failure mode here: the agent keeps what it knew.
    const detection = { user: 'alice', groups: [], host: 'db-01' };
    expect((await postJson(ingest, '/policy/detection', detection)).status).toBe(401);
    const badDetection = await postJson(
      ingest,
      '/policy/detection',
      { ...detection, host: 7 },
      agent.auth,
    );
    expect(badDetection.status).toBe(400);
    const unavailable = await postJson(ingest, '/policy/detection', detection, agent.auth);
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBe('5');
  });
  it('answers malformed JSON, wrong types, huge strings and traversal ids with 400 naming the field', async () => {
    const { sessionId, recordingId } = await startSessionWithRecording(ingest, agent);
    const cases: { path: string; body: unknown; field: string }[] = [
      { path: '/sessions', body: '{"sessionId": ', field: '' },
      { path: '/sessions', body: { sessionId: 42 }, field: 'body.sessionId' },
      {
        path: '/sessions',
        body: {
          sessionId: randomUUID(),
          user: 'u'.repeat(100_000),
          host: 'h',
          protocol: 'terminal',
          startedAt: '2030-01-01T00:00:00.000Z',
        },
        field: 'body.user',
      },
      {
        path: `/sessions/${sessionId}/events`,
        body: { events: [{ eventId: randomUUID(), type: 'no.such', at: 'x', offsetMs: -1 }] },
        field: 'body.events.0',
      },
      { path: `/sessions/${sessionId}/events`, body: { events: [] }, field: 'body.events' },
      {
        path: '/sessions/..%2F..%2Fetc/end',
        body: { endedAt: '2030-01-01T00:00:00Z', reason: 'x' },
        field: 'params.sessionId',
      },
      { path: '/sessions/not-a-uuid/events', body: { events: [] }, field: 'params.sessionId' },
    ];
    for (const c of cases) {
      const res = await postJson(ingest, c.path, c.body, agent.auth);
      expect({ path: c.path, status: res.status }).toEqual({ path: c.path, status: 400 });
      const body = (await res.json()) as ErrorBody;
      expect(body.error.code).toBe('validation');
      expect(body.error.message).toContain(c.field);
      expect(body.error.message.length).toBeLessThan(1000);
    }
    const first = await putSegment(ingest, agent.auth, recordingId, {
      seq: 0,
      body: Buffer.from('x'),
      headers: {},
    });
    expect(first.status).toBe(201);
    for (const seq of ['-1', '1.5', '10000001', '..%2F..%2Fx', '1e3']) {
      const res = await fetch(`${ingest.url}/agent/v1/recordings/${recordingId}/segments/${seq}`, {
        method: 'PUT',
        headers: {
          authorization: agent.auth,
          'content-type': 'application/octet-stream',
          'x-segment-sha256': '0'.repeat(64),
          'x-segment-kind': 'cast',
          'x-segment-start-ms': '0',
          'x-segment-end-ms': '1',
        },
        body: Buffer.from('x'),
      });
      expect({ seq, status: res.status }).toEqual({ seq, status: 400 });
      expect(((await res.json()) as ErrorBody).error.message).toContain('params.seq');
    }
    const badHeader = await putSegment(ingest, agent.auth, recordingId, {
      seq: 1,
      body: Buffer.from('y'),
      headers: { 'x-segment-kind': 'executable' },
    });
    expect(badHeader.status).toBe(400);
    expect(((await badHeader.json()) as ErrorBody).error.message).toContain('x-segment-kind');
    const json = await fetch(`${ingest.url}/agent/v1/recordings/${recordingId}/segments/1`, {
      method: 'PUT',
      headers: { authorization: agent.auth, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(json.status).toBe(415);
    const xml = await fetch(`${ingest.url}/agent/v1/sessions`, {
      method: 'POST',
      headers: { authorization: agent.auth, 'content-type': 'application/xml' },
      body: '<x/>',
    });
    expect(xml.status).toBe(415);
    expect(((await xml.json()) as ErrorBody).error.code).toBe('unsupported_media_type');
  });

  it('answers 503 with Retry-After when NATS is unavailable, leaving no unannounced row', async () => {
    const { sessionId, recordingId } = await startSessionWithRecording(ingest, agent);
    await closeServiceNats(ingest);

    const segment = await putSegment(ingest, agent.auth, recordingId, {
      seq: 0,
      body: randomBytes(100),
    });
    expect(segment.status).toBe(503);
    expect(segment.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await segment.json()) as ErrorBody).error.code).toBe('unavailable');

    const events = await postJson(
      ingest,
      `/sessions/${sessionId}/events`,
      {
        events: [
          {
            eventId: randomUUID(),
            type: 'idle.start',
            at: '2030-05-06T07:09:00.000Z',
            offsetMs: 1,
          },
        ],
      },
      agent.auth,
    );
    expect(events.status).toBe(503);
    expect(events.headers.get('retry-after')).toMatch(/^\d+$/);

    const newSession = randomUUID();
    const start = await postJson(
      ingest,
      '/sessions',
      {
        sessionId: newSession,
        user: 'u',
        host: 'h',
        protocol: 'terminal',
        startedAt: '2030-01-01T00:00:00Z',
      },
      agent.auth,
    );
    expect(start.status).toBe(503);

    const segments = await ingest.pg.query(
      `SELECT 1 FROM "${ingest.schema}".segments WHERE recording_id = $1`,
      [recordingId],
    );
    expect(segments.rowCount).toBe(0);
    const sessions = await ingest.pg.query(
      `SELECT 1 FROM "${ingest.schema}".sessions WHERE id = $1`,
      [newSession],
    );
    expect(sessions.rowCount).toBe(0);
    const announced = (await streamMessages(ingest, 'SEGMENTS')).filter(
      (m) => m.data.recordingId === recordingId,
    );
    expect(announced).toEqual([]);
  });
});
