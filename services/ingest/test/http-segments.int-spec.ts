/**
 * The session lifecycle with segment upload, against real NATS, PostgreSQL and S3:
 * stored bytes, one `segment.stored` per segment however often it is sent, conflicts and
 * broken hash chains as 409 plus an audit message, gaps recorded, bad bodies refused.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { agentProtocol } from '@sessionrec/contracts';
import { uniqueTestName } from '@sessionrec/testing';
import {
  type Agent,
  enrolAgent,
  type HttpIngest,
  postJson,
  putSegment,
  sha256,
  startHttpIngest,
  startSessionWithRecording,
  streamMessages,
} from './http-harness';

async function readAll(ingest: HttpIngest, key: string): Promise<Buffer> {
  const { body } = await ingest.store.get(key);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('agent sessions, recordings and segments', () => {
  let ingest: HttpIngest;
  let agent: Agent;

  beforeAll(async () => {
    ingest = await startHttpIngest(uniqueTestName('http_segments'));
    agent = await enrolAgent(ingest);
  });

  afterAll(async () => {
    await ingest.cleanup();
  });

  it('runs a screen session end to end, each fact announced once', async () => {
    const { sessionId, recordingId } = await startSessionWithRecording(ingest, agent, 'screen');
    const init = randomBytes(2000);
    const media1 = randomBytes(5000);
    const media2 = randomBytes(7000);
    const puts = [
      { seq: 0, body: init, kind: 'init' as const },
      { seq: 1, body: media1, kind: 'media' as const, prev: sha256(init) },
      { seq: 2, body: media2, kind: 'media' as const, prev: sha256(media1) },
    ];
    for (const put of puts) {
      const res = await putSegment(ingest, agent.auth, recordingId, put);
      expect(res.status).toBe(201);
    }
    // Every segment again: a no-op success.
    for (const put of puts) {
      const res = await putSegment(ingest, agent.auth, recordingId, put);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { created: boolean }).created).toBe(false);
    }
    const prefix = `recordings/2030/05/06/${recordingId}/`;
    expect(await readAll(ingest, `${prefix}init.mp4`)).toEqual(init);
    expect(await readAll(ingest, `${prefix}0000000001.m4s`)).toEqual(media1);
    expect(await readAll(ingest, `${prefix}0000000002.m4s`)).toEqual(media2);

    const stopped = await postJson(
      ingest,
      `/recordings/${recordingId}/stop`,
      { at: '2030-05-06T07:09:00.000Z', reason: 'session-end' },
      agent.auth,
    );
    expect(stopped.status).toBe(201);
    const ended = await postJson(
      ingest,
      `/sessions/${sessionId}/end`,
      { endedAt: '2030-05-06T07:09:01.000Z', reason: 'logout' },
      agent.auth,
    );
    expect(ended.status).toBe(201);
    // Repeats change nothing.
    expect(
      (
        await postJson(
          ingest,
          `/sessions/${sessionId}/end`,
          { endedAt: '2030-05-06T07:09:01.000Z', reason: 'logout' },
          agent.auth,
        )
      ).status,
    ).toBe(200);

    const stored = (await streamMessages(ingest, 'SEGMENTS')).filter(
      (m) => m.type === 'segment.stored' && m.data.recordingId === recordingId,
    );
    expect(stored.map((m) => m.data.seq)).toEqual([0, 1, 2]);
    expect(stored[1]?.data).toMatchObject({
      sessionId,
      agentId: agent.agentId,
      kind: 'media',
      key: `${prefix}0000000001.m4s`,
      size: 5000,
      sha256: sha256(media1),
      prevSha256: sha256(init),
    });
    const lifecycle = (await streamMessages(ingest, 'SESSIONS')).filter(
      (m) => m.data.sessionId === sessionId,
    );
    expect(lifecycle.map((m) => m.type)).toEqual([
      'session.started',
      'recording.started',
      'recording.stopped',
      'session.ended',
    ]);
    const { rows } = await ingest.pg.query(
      `SELECT seq, sha256, size FROM "${ingest.schema}".segments WHERE recording_id = $1 ORDER BY seq`,
      [recordingId],
    );
    expect(rows).toEqual([
      { seq: 0, sha256: sha256(init), size: 2000 },
      { seq: 1, sha256: sha256(media1), size: 5000 },
      { seq: 2, sha256: sha256(media2), size: 7000 },
    ]);
  });

  it("continues the agent's trace: the segment's announcement carries its trace id", async () => {
    const { recordingId } = await startSessionWithRecording(ingest, agent);
    const traceId = randomBytes(16).toString('hex');
    const res = await putSegment(ingest, agent.auth, recordingId, {
      seq: 0,
      body: randomBytes(100),
      headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    });
    expect(res.status).toBe(201);
    const stored = (await streamMessages(ingest, 'SEGMENTS')).find(
      (m) => m.type === 'segment.stored' && m.data.recordingId === recordingId,
    );
    expect(stored?.traceparent?.split('-')[1]).toBe(traceId);
  });

  it('treats a session start sent twice as one, and another agent reusing its id as a conflict', async () => {
    const body = {
      sessionId: randomUUID(),
      user: 'carol',
      host: 'h',
      protocol: 'terminal',
      startedAt: '2030-01-01T00:00:00.000Z',
    };
    expect((await postJson(ingest, '/sessions', body, agent.auth)).status).toBe(201);
    expect((await postJson(ingest, '/sessions', body, agent.auth)).status).toBe(200);
    const other = await enrolAgent(ingest);
    const taken = await postJson(ingest, '/sessions', body, other.auth);
    expect(taken.status).toBe(409);
    const started = (await streamMessages(ingest, 'SESSIONS')).filter(
      (m) => m.type === 'session.started' && m.data.sessionId === body.sessionId,
    );
    expect(started).toHaveLength(1);
    expect(started[0]?.data.agentId).toBe(agent.agentId);
  });

  it('applies each lifecycle change once when copies of the request arrive together', async () => {
    const sessionId = randomUUID();
    const recordingId = randomUUID();
    const copies = async (path: string, body: unknown): Promise<number[]> =>
      (await Promise.all(Array.from({ length: 6 }, () => postJson(ingest, path, body, agent.auth))))
        .map((r) => r.status)
        .sort();
    const once = [200, 200, 200, 200, 200, 201];
    expect(
      await copies('/sessions', {
        sessionId,
        user: 'dave',
        host: 'h',
        protocol: 'desktop',
        startedAt: '2030-01-01T00:00:00.000Z',
      }),
    ).toEqual(once);
    expect(
      await copies(`/sessions/${sessionId}/recordings`, {
        recordingId,
        kind: 'screen',
        at: '2030-01-01T00:00:01.000Z',
        reason: 'policy',
      }),
    ).toEqual(once);
    expect(
      await copies(`/recordings/${recordingId}/stop`, {
        at: '2030-01-01T00:00:05.000Z',
        reason: 'policy',
      }),
    ).toEqual(once);
    expect(
      await copies(`/sessions/${sessionId}/end`, {
        endedAt: '2030-01-01T00:00:06.000Z',
        reason: 'logoff',
      }),
    ).toEqual(once);
    const announced = (await streamMessages(ingest, 'SESSIONS'))
      .filter((m) => m.data.sessionId === sessionId)
      .map((m) => m.type)
      .sort();
    expect(announced).toEqual([
      'recording.started',
      'recording.stopped',
      'session.ended',
      'session.started',
    ]);
    const { rows } = await ingest.pg.query(
      `SELECT s.ended_at IS NOT NULL AS ended, r.stopped_at IS NOT NULL AS stopped
         FROM "${ingest.schema}".sessions s JOIN "${ingest.schema}".recordings r ON r.session_id = s.id
        WHERE s.id = $1`,
      [sessionId],
    );
    expect(rows).toEqual([{ ended: true, stopped: true }]);
  });

  it('answers different bytes for a stored sequence with 409 and an audit message', async () => {
    const { recordingId } = await startSessionWithRecording(ingest, agent);
    const original = Buffer.from('{"version": 2}\n[0.1, "o", "hello"]\n');
    expect(
      (await putSegment(ingest, agent.auth, recordingId, { seq: 0, body: original })).status,
    ).toBe(201);
    const forged = Buffer.from('{"version": 2}\n[0.1, "o", "HELLO"]\n');
    const res = await putSegment(ingest, agent.auth, recordingId, { seq: 0, body: forged });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('segment_conflict');
    const key = `recordings/2030/05/06/${recordingId}/0000000000.cast`;
    expect(await readAll(ingest, key)).toEqual(original);
    const audits = (await streamMessages(ingest, 'AUDIT')).filter(
      (m) =>
        m.data.action === 'segment.conflict' &&
        (m.data.target as { id: string }).id === recordingId,
    );
    expect(audits).toHaveLength(1);
    expect(audits[0]?.subject).toBe(`${ingest.name}.audit.segment.conflict`);
    expect(audits[0]?.data.actor).toEqual({ type: 'agent', id: agent.agentId });
    expect(audits[0]?.data.details).toMatchObject({
      seq: 0,
      storedSha256: sha256(original),
      attemptedSha256: sha256(forged),
    });
  });

  it('still refuses other bytes for the first segment of a recording it created, though it skips the segment lookup', async () => {
    // This process created the recording, so it does not look up segment 0 before storing
    // it. Another writer (another ingest instance) stored other bytes there meanwhile: the
    // store's conditional create still refuses the upload, and nothing is announced.
    const { recordingId } = await startSessionWithRecording(ingest, agent);
    const key = `recordings/2030/05/06/${recordingId}/0000000000.cast`;
    const theirs = Buffer.from('{"version": 2}\n[0.1, "o", "theirs"]\n');
    await ingest.store.putIfAbsent(key, theirs);
    const ours = Buffer.from('{"version": 2}\n[0.1, "o", "ours"]\n');
    const res = await putSegment(ingest, agent.auth, recordingId, { seq: 0, body: ours });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('segment_conflict');
    expect(await readAll(ingest, key)).toEqual(theirs);
    const announced = (await streamMessages(ingest, 'SEGMENTS')).filter(
      (m) => m.data.recordingId === recordingId,
    );
    expect(announced).toEqual([]);
  });

  it('refuses a segment whose previous hash does not chain (409, audited)', async () => {
    const { recordingId } = await startSessionWithRecording(ingest, agent);
    const first = Buffer.from('first');
    expect(
      (await putSegment(ingest, agent.auth, recordingId, { seq: 0, body: first })).status,
    ).toBe(201);
    const res = await putSegment(ingest, agent.auth, recordingId, {
      seq: 1,
      body: Buffer.from('second'),
      prev: sha256(Buffer.from('not the first')),
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('chain_mismatch');
    const audits = (await streamMessages(ingest, 'AUDIT')).filter(
      (m) =>
        m.data.action === 'segment.chain-mismatch' &&
        (m.data.target as { id: string }).id === recordingId,
    );
    expect(audits).toHaveLength(1);
    expect(
      await ingest.store.head(`recordings/2030/05/06/${recordingId}/0000000001.cast`),
    ).toBeUndefined();
  });

  it('records a gap in sequence numbers and announces it', async () => {
    const { recordingId } = await startSessionWithRecording(ingest, agent);
    expect(
      (await putSegment(ingest, agent.auth, recordingId, { seq: 0, body: Buffer.from('a') }))
        .status,
    ).toBe(201);
    expect(
      (await putSegment(ingest, agent.auth, recordingId, { seq: 4, body: Buffer.from('e') }))
        .status,
    ).toBe(201);
    // A late segment inside the gap is accepted and adds no new gap.
    expect(
      (await putSegment(ingest, agent.auth, recordingId, { seq: 2, body: Buffer.from('c') }))
        .status,
    ).toBe(201);
    const { rows } = await ingest.pg.query(
      `SELECT from_seq, to_seq FROM "${ingest.schema}".segment_gaps WHERE recording_id = $1`,
      [recordingId],
    );
    expect(rows).toEqual([{ from_seq: 1, to_seq: 3 }]);
    const gaps = (await streamMessages(ingest, 'SEGMENTS')).filter(
      (m) => m.type === 'segment.gap' && m.data.recordingId === recordingId,
    );
    expect(gaps.map((m) => [m.data.fromSeq, m.data.toSeq])).toEqual([[1, 3]]);
  });

  it('refuses a body whose SHA-256 does not match its header (400), and stores nothing', async () => {
    const { recordingId } = await startSessionWithRecording(ingest, agent);
    const res = await putSegment(ingest, agent.auth, recordingId, {
      seq: 0,
      body: Buffer.from('payload'),
      sha: sha256(Buffer.from('other')),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('validation');
    expect(body.error.message).toContain('x-segment-sha256');
    expect((await ingest.store.list(`recordings/2030/05/06/${recordingId}/`)).keys).toEqual([]);
  });

  it('checks the claimed SHA-256 before acting on it: a false claim is 400, never "stored" nor audited', async () => {
    const { recordingId } = await startSessionWithRecording(ingest, agent);
    const original = Buffer.from('{"version": 2}\n[0.1, "o", "one"]\n');
    expect(
      (await putSegment(ingest, agent.auth, recordingId, { seq: 0, body: original })).status,
    ).toBe(201);
    const other = Buffer.from('{"version": 2}\n[0.1, "o", "two"]\n');
    const attempts = [
      // Claims the stored hash (would answer "already stored").
      { seq: 0, body: other, sha: sha256(original) },
      // Claims a third hash (would be a conflict).
      { seq: 0, body: other, sha: sha256(Buffer.from('third')) },
      // Claims a hash whose chain is broken (would be a chain mismatch).
      { seq: 1, body: other, sha: sha256(Buffer.from('third')), prev: sha256(other) },
    ];
    for (const attempt of attempts) {
      const res = await putSegment(ingest, agent.auth, recordingId, attempt);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.message).toContain('x-segment-sha256');
    }
    const audits = (await streamMessages(ingest, 'AUDIT')).filter(
      (m) => (m.data.target as { id: string }).id === recordingId,
    );
    expect(audits).toEqual([]);
    expect((await ingest.store.list(`recordings/2030/05/06/${recordingId}/`)).keys).toHaveLength(1);
  });

  it('refuses a segment over MAX_SEGMENT_BYTES with 413', async () => {
    const { recordingId } = await startSessionWithRecording(ingest, agent);
    const big = Buffer.alloc(agentProtocol.MAX_SEGMENT_BYTES + 1, 1);
    const res = await putSegment(ingest, agent.auth, recordingId, { seq: 0, body: big });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      'payload_too_large',
    );
  });

  it('forbids another agent to touch a recording (403), changing nothing', async () => {
    const { sessionId, recordingId } = await startSessionWithRecording(ingest, agent);
    const intruder = await enrolAgent(ingest);
    const put = await putSegment(ingest, intruder.auth, recordingId, {
      seq: 0,
      body: Buffer.from('x'),
    });
    expect(put.status).toBe(403);
    expect(((await put.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    const stop = await postJson(
      ingest,
      `/recordings/${recordingId}/stop`,
      { at: '2030-05-06T07:09:00.000Z', reason: 'admin' },
      intruder.auth,
    );
    expect(stop.status).toBe(403);
    const end = await postJson(
      ingest,
      `/sessions/${sessionId}/end`,
      { endedAt: '2030-05-06T07:09:00.000Z', reason: 'logout' },
      intruder.auth,
    );
    expect(end.status).toBe(403);
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
      intruder.auth,
    );
    expect(events.status).toBe(403);
    expect((await ingest.store.list(`recordings/2030/05/06/${recordingId}/`)).keys).toEqual([]);
    const segments = (await streamMessages(ingest, 'SEGMENTS')).filter(
      (m) => m.data.recordingId === recordingId,
    );
    expect(segments).toEqual([]);
    const lifecycle = (await streamMessages(ingest, 'SESSIONS')).filter(
      (m) => m.data.sessionId === sessionId,
    );
    expect(lifecycle.map((m) => m.type)).toEqual(['session.started', 'recording.started']);
  });
});
