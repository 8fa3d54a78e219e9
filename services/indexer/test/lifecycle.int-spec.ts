/**
 * The catalogue under realistic disorder: messages arriving before the session or
 * recording they belong to, an end before its start, a host that goes silent (closed by
 * the sweep, which tells everyone with session.ended), and a batch whose write fails once
 * (every member redelivered, nothing doubled).
 */
import { randomUUID } from 'node:crypto';
import { readStream, uniqueTestName, waitFor } from '@sessionrec/testing';
import { EventWriter } from '../src/writes/event.writer';
import { DEFAULT_TEST_CONFIG, type Indexer, sessionMessages, startIndexer } from './harness';

describe('indexer lifecycle (real indexer, NATS and PostgreSQL)', () => {
  const name = uniqueTestName('indexer_lifecycle');
  let indexer: Indexer;

  beforeAll(async () => {
    indexer = await startIndexer(name, {
      ...DEFAULT_TEST_CONFIG,
      INDEXER_SILENT_AFTER_MS: 1_000,
      INDEXER_SWEEP_INTERVAL_MS: 200,
    });
  });

  afterAll(async () => {
    await indexer?.cleanup();
  });

  async function session(sessionId: string) {
    const { rows } = await indexer.pg.query<{
      user_name: string | null;
      host: string | null;
      started_at: Date;
      ended_at: Date | null;
      end_reason: string | null;
      start_seen: boolean;
    }>(
      `SELECT user_name, host, started_at, ended_at, end_reason, start_seen
         FROM "${indexer.schema}".sessions WHERE session_id = $1`,
      [sessionId],
    );
    return rows[0];
  }

  it('fills in a session and recording whose events, segments, end and stop came first', async () => {
    const seeded = sessionMessages({
      user: 'dave',
      groups: ['ops'],
      host: 'ws-09',
      protocol: 'terminal',
      startedAt: '2026-04-01T08:00:00.000Z',
      events: [{ type: 'command.start', offsetMs: 500, attributes: { commandLine: 'ls -la' } }],
    });
    const { sessionId, agentId, recordingId } = seeded;
    const [started, recStarted, event] = seeded.messages;
    await indexer.messaging.publish('event', event!.payload as never);
    await indexer.messaging.publish('segment.stored', {
      v: 1,
      recordingId,
      sessionId,
      agentId,
      seq: 0,
      kind: 'cast',
      key: `recordings/2026/04/01/${recordingId}/00000000.cast`,
      size: 10,
      sha256: 'b'.repeat(64),
      startMs: 0,
      endMs: 4000,
      storedAt: '2026-04-01T08:00:04.000Z',
    });
    await indexer.messaging.publish('recording.stopped', {
      v: 1,
      sessionId,
      recordingId,
      agentId,
      at: '2026-04-01T08:30:00.000Z',
      reason: 'session-end',
    });
    await indexer.messaging.publish('session.ended', {
      v: 1,
      sessionId,
      agentId,
      endedAt: '2026-04-01T08:30:00.000Z',
      reason: 'logout',
    });
    await indexer.settled();
    expect(await session(sessionId)).toMatchObject({ user_name: null, start_seen: false });

    await indexer.messaging.publish('session.started', started!.payload as never);
    await indexer.messaging.publish('recording.started', recStarted!.payload as never);
    await indexer.settled();
    expect(await session(sessionId)).toEqual({
      user_name: 'dave',
      host: 'ws-09',
      started_at: new Date('2026-04-01T08:00:00.000Z'),
      ended_at: new Date('2026-04-01T08:30:00.000Z'),
      end_reason: 'logout',
      start_seen: true,
    });
    const rec = await indexer.messaging.request(
      'catalog.recording',
      { v: 1, recordingId, limit: 10 },
      { timeoutMs: 10_000 },
    );
    expect(rec.recording).toMatchObject({
      kind: 'terminal',
      startedAt: '2026-04-01T08:00:00.100Z',
      stoppedAt: '2026-04-01T08:30:00.000Z',
      live: false,
      segments: [expect.objectContaining({ seq: 0, kind: 'cast' })],
    });
    const found = await indexer.messaging.request(
      'catalog.search',
      { v: 1, user: 'dave', q: 'ls', limit: 10 },
      { timeoutMs: 10_000 },
    );
    expect(found.sessions.map((s) => [s.sessionId, s.recordings[0]?.reason])).toEqual([
      [sessionId, 'policy'],
    ]);
  });

  it('closes a session whose host went silent and publishes session.ended host-silent', async () => {
    const seeded = sessionMessages({
      user: 'erin',
      groups: [],
      host: 'ws-10',
      protocol: 'desktop',
      startedAt: new Date().toISOString(),
      events: [{ type: 'idle.start', offsetMs: 100, attributes: {} }],
    });
    for (const m of seeded.messages) await indexer.messaging.publish(m.type, m.payload as never);
    await waitFor(
      async () => (await session(seeded.sessionId))?.end_reason === 'host-silent',
      20_000,
      'the silent session to be closed',
    );
    const ended = (await readStream(indexer.nc, name, 'SESSIONS'))
      .filter((m) => m.subject === `${name}.session.ended`)
      .map((m) => m.json<{ sessionId: string; reason: string }>());
    expect(ended).toContainEqual(
      expect.objectContaining({ sessionId: seeded.sessionId, reason: 'host-silent' }),
    );
    // A real end reported later replaces the guess.
    await indexer.messaging.publish(
      'session.ended',
      {
        v: 1,
        sessionId: seeded.sessionId,
        agentId: seeded.agentId,
        endedAt: new Date().toISOString(),
        reason: 'disconnect',
      },
      { messageId: randomUUID() },
    );
    await indexer.settled();
    expect((await session(seeded.sessionId))?.end_reason).toBe('disconnect');
  });

  it('redelivers every member of a batch whose write failed, without duplicates', async () => {
    // The event writer's batch write fails once: all 30 members must come back.
    const eventWriter: EventWriter = indexer.service.app.get(EventWriter);
    const writer = eventWriter as unknown as { write(rows: readonly unknown[]): Promise<void> };
    const original = writer.write.bind(writer);
    let failures = 0;
    const spy = jest.spyOn(writer, 'write').mockImplementation((rows) => {
      if (failures === 0) {
        failures += 1;
        return Promise.reject(new Error('injected failure'));
      }
      return original(rows);
    });
    try {
      const seeded = sessionMessages({
        user: 'frank',
        groups: [],
        host: 'ws-11',
        protocol: 'desktop',
        startedAt: '2026-04-02T08:00:00.000Z',
        endedAt: '2026-04-02T09:00:00.000Z',
        events: Array.from({ length: 30 }, (_, i) => ({
          type: 'app.focus' as const,
          offsetMs: i * 1000,
          attributes: { app: 'gedit', windowTitle: `notes ${i}` },
        })),
      });
      for (const m of seeded.messages) await indexer.messaging.publish(m.type, m.payload as never);
      await waitFor(
        async () => (await indexer.count('events', 'session_id = $1', [seeded.sessionId])) === 30,
        20_000,
        'the failed batch to be redelivered',
      );
      await indexer.settled();
      expect(failures).toBe(1);
      expect(await indexer.count('events', 'session_id = $1', [seeded.sessionId])).toBe(30);
      const apps = await indexer.pg.query(
        `SELECT name, event_count FROM "${indexer.schema}".session_apps WHERE session_id = $1`,
        [seeded.sessionId],
      );
      expect(apps.rows).toEqual([{ name: 'gedit', event_count: 30 }]);
    } finally {
      spy.mockRestore();
    }
  });
});
