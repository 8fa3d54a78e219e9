/**
 * Lookups and writes of many concurrent agent requests share statements (coalescer.ts),
 * against real PostgreSQL and NATS: every session's rows come out as its own requests
 * sent them, whatever it shared a statement with; ids in upper case are the same ids; and
 * a row the database refuses fails alone, not the requests batched with it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { uniqueTestName } from '@sessionrec/testing';
import { RecordsRepository } from '../src/agent-api/records.repository';
import {
  type Agent,
  enrolAgent,
  type HttpIngest,
  postJson,
  putSegment,
  sha256,
  startHttpIngest,
  streamMessages,
} from './http-harness';

jest.setTimeout(60_000);

describe('coalesced session and recording statements', () => {
  let ingest: HttpIngest;
  let agent: Agent;

  beforeAll(async () => {
    ingest = await startHttpIngest(uniqueTestName('records_coalescing'));
    agent = await enrolAgent(ingest);
  });

  afterAll(async () => {
    await ingest.cleanup();
  });

  it('lands forty whole sessions sent at once, each row as its own requests said', async () => {
    const sessions = Array.from({ length: 40 }, (_, i) => ({
      i,
      // Every other id in upper case: the same uuid to PostgreSQL and to ingest's caches.
      sessionId: i % 2 ? randomUUID().toUpperCase() : randomUUID(),
      recordingId: i % 3 ? randomUUID() : randomUUID().toUpperCase(),
      segment: randomBytes(2_000 + i),
    }));
    const minute = (m: number): string => `2031-02-03T04:${String(m).padStart(2, '0')}:00.000Z`;
    const statuses = await Promise.all(
      sessions.map(async ({ i, sessionId, recordingId, segment }) => {
        const codes: number[] = [];
        const post = async (path: string, body: unknown): Promise<void> => {
          codes.push((await postJson(ingest, path, body, agent.auth)).status);
        };
        await post('/sessions', {
          sessionId,
          user: `user-${i}`,
          groups: [`group-${i}`],
          host: `host-${i}`,
          protocol: 'terminal',
          startedAt: minute(i),
        });
        await post(`/sessions/${sessionId}/recordings`, {
          recordingId,
          kind: 'terminal',
          at: minute(i),
          reason: 'policy',
        });
        codes.push(
          (await putSegment(ingest, agent.auth, recordingId, { seq: 0, body: segment })).status,
        );
        await post(`/recordings/${recordingId}/stop`, { at: minute(i + 1), reason: 'policy' });
        await post(`/sessions/${sessionId}/end`, { endedAt: minute(i + 2), reason: 'logoff' });
        return codes;
      }),
    );
    expect(statuses.every((codes) => codes.join() === '201,201,201,201,201')).toBe(true);

    const { rows } = await ingest.pg.query<{
      id: string;
      user_name: string;
      host: string;
      groups: string[];
      started_at: Date;
      ended_at: Date;
      recording_id: string;
      stopped_at: Date;
      sha256: string;
    }>(
      `SELECT s.id, s.user_name, s.host, s.groups, s.started_at, s.ended_at,
              r.id AS recording_id, r.stopped_at, g.sha256
         FROM "${ingest.schema}".sessions s
         JOIN "${ingest.schema}".recordings r ON r.session_id = s.id
         JOIN "${ingest.schema}".segments g ON g.recording_id = r.id
        WHERE s.id = ANY($1::uuid[])`,
      [sessions.map((s) => s.sessionId)],
    );
    expect(rows).toHaveLength(sessions.length);
    for (const s of sessions) {
      const row = rows.find((r) => r.id === s.sessionId.toLowerCase());
      expect(row).toMatchObject({
        user_name: `user-${s.i}`,
        host: `host-${s.i}`,
        groups: [`group-${s.i}`],
        recording_id: s.recordingId.toLowerCase(),
        sha256: sha256(s.segment),
      });
      expect(row?.started_at.toISOString()).toBe(minute(s.i));
      expect(row?.stopped_at.toISOString()).toBe(minute(s.i + 1));
      expect(row?.ended_at.toISOString()).toBe(minute(s.i + 2));
    }
    const ids = new Set(sessions.map((s) => s.sessionId.toLowerCase()));
    const announced = (await streamMessages(ingest, 'SESSIONS')).filter((m) =>
      ids.has(String(m.data.sessionId).toLowerCase()),
    );
    expect(announced).toHaveLength(sessions.length * 4);
  });

  it('fails only the refused row of a shared statement; its neighbours are written', async () => {
    const records = ingest.service.app.get(RecordsRepository);
    const sessionId = randomUUID();
    await expect(
      records.insertSession({
        id: sessionId,
        agentId: agent.agentId,
        user: 'erin',
        host: 'h',
        protocol: 'terminal',
        clientAddress: undefined,
        groups: [],
        startedAt: '2031-02-03T05:00:00.000Z',
      }),
    ).resolves.toBe(true);
    const recording = (session: string) => ({
      id: randomUUID(),
      sessionId: session,
      agentId: agent.agentId,
      kind: 'terminal',
      at: '2031-02-03T05:00:01.000Z',
      reason: 'policy',
      ruleId: undefined,
      policyVersion: undefined,
      actor: undefined,
    });
    // Made in one turn, so they share one INSERT; the middle one names no session.
    const good = [recording(sessionId), recording(sessionId)];
    const orphan = recording(randomUUID());
    const outcomes = await Promise.allSettled([
      records.insertRecording(good[0]!),
      records.insertRecording(orphan),
      records.insertRecording(good[1]!),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toHaveProperty(
      'message',
      expect.stringContaining('foreign key'),
    );
    const { rows } = await ingest.pg.query<{ id: string }>(
      `SELECT id FROM "${ingest.schema}".recordings WHERE session_id = $1 ORDER BY id`,
      [sessionId],
    );
    expect(rows.map((r) => r.id)).toEqual(good.map((g) => g.id).sort());
    // What a created recording remembers is what PostgreSQL stored.
    await expect(records.recordingIdentity(good[0]!.id)).resolves.toMatchObject({
      session_id: sessionId,
      agent_id: agent.agentId,
      kind: 'terminal',
      started_at: new Date('2031-02-03T05:00:01.000Z'),
    });
  });
});
