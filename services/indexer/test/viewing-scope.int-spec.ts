/**
 * Viewing scopes against the real catalogue: a session outside the asker's scope is
 * absent from search results (with any filter and free text), and catalog.session,
 * catalog.recording, catalog.events and catalog.metrics answer as if it did not exist.
 * Users, groups, hosts and applications are matched as case-insensitive globs.
 */
import type { RequestOf, ViewingScope } from '@sessionrec/contracts';
import { uniqueTestName } from '@sessionrec/testing';
import {
  type Indexer,
  publishAll,
  type SeededSession,
  sessionMessages,
  startIndexer,
} from './harness';

describe('viewing scopes in the catalogue (real indexer, NATS and PostgreSQL)', () => {
  const name = uniqueTestName('indexer_viewing');
  let indexer: Indexer;
  let finance: SeededSession;
  let kiosk: SeededSession;
  let dev: SeededSession;

  const ask = <
    T extends
      | 'catalog.search'
      | 'catalog.session'
      | 'catalog.recording'
      | 'catalog.events'
      | 'catalog.metrics',
  >(
    type: T,
    request: RequestOf<T>,
  ) => indexer.messaging.request(type, request, { timeoutMs: 10_000 });

  async function visible(scope: ViewingScope | undefined, q?: string): Promise<string[]> {
    const reply = await ask('catalog.search', {
      v: 1,
      limit: 25,
      ...(scope ? { scope } : {}),
      ...(q ? { q } : {}),
    });
    return reply.sessions.map((s) => s.sessionId).sort();
  }

  beforeAll(async () => {
    indexer = await startIndexer(name);
    finance = sessionMessages({
      user: 'alice',
      groups: ['finance'],
      host: 'fin-01',
      protocol: 'desktop',
      startedAt: '2026-03-01T09:00:00.000Z',
      events: [
        {
          type: 'app.focus',
          offsetMs: 5_000,
          attributes: { app: 'LibreOffice', windowTitle: 'Payroll Q3.xlsx' },
        },
      ],
    });
    kiosk = sessionMessages({
      user: 'kiosk7',
      groups: [],
      host: 'lobby-1',
      protocol: 'desktop',
      startedAt: '2026-03-01T09:05:00.000Z',
      events: [{ type: 'app.focus', offsetMs: 1_000, attributes: { app: 'firefox' } }],
    });
    dev = sessionMessages({
      user: 'bob',
      groups: ['eng'],
      host: 'dev-01',
      protocol: 'terminal',
      startedAt: '2026-03-01T09:10:00.000Z',
      events: [{ type: 'app.start', offsetMs: 2_000, attributes: { app: 'KeePassXC' } }],
    });
    for (const s of [finance, kiosk, dev]) await publishAll(indexer, s.messages);
    await indexer.settled();
  });

  afterAll(async () => {
    await indexer.cleanup();
  });

  it('lists every session without a scope and none with an empty one', async () => {
    expect(await visible(undefined)).toEqual([finance, kiosk, dev].map((s) => s.sessionId).sort());
    expect(await visible({ anyOf: [] })).toEqual([]);
  });

  it('matches users, groups with hosts, and applications as case-insensitive globs', async () => {
    expect(await visible({ anyOf: [{ users: ['KIOSK*'] }] })).toEqual([kiosk.sessionId]);
    expect(await visible({ anyOf: [{ groups: ['fin*'], hosts: ['fin-??'] }] })).toEqual([
      finance.sessionId,
    ]);
    // Every field of an entry must match: the right group on another host is not enough.
    expect(await visible({ anyOf: [{ groups: ['fin*'], hosts: ['dev-*'] }] })).toEqual([]);
    expect(await visible({ anyOf: [{ applications: ['keepass*'] }] })).toEqual([dev.sessionId]);
    expect(
      await visible({ anyOf: [{ users: ['kiosk?'] }, { applications: ['keepass*'] }] }),
    ).toEqual([kiosk.sessionId, dev.sessionId].sort());
  });

  it('applies the scope together with free text', async () => {
    expect(await visible(undefined, 'Payroll')).toEqual([finance.sessionId]);
    expect(await visible({ anyOf: [{ users: ['kiosk*'] }] }, 'Payroll')).toEqual([]);
  });

  it('answers session, recording, events and metrics as absent outside the scope', async () => {
    const outside: ViewingScope = { anyOf: [{ users: ['kiosk*'] }] };
    const inside: ViewingScope = { anyOf: [{ users: ['alice'] }] };
    const { sessionId, recordingId } = finance;
    expect((await ask('catalog.session', { v: 1, sessionId, scope: outside })).session).toBeNull();
    expect(
      (await ask('catalog.session', { v: 1, sessionId, scope: inside })).session,
    ).toMatchObject({
      sessionId,
      // With the rule and policy version that caused each recording.
      recordings: [{ recordingId, reason: 'policy', ruleId: 'r1', policyVersion: 1 }],
    });
    const recording = (scope: ViewingScope) =>
      ask('catalog.recording', { v: 1, recordingId, limit: 10, scope });
    expect((await recording(outside)).recording).toBeNull();
    expect((await recording(inside)).recording).toMatchObject({ recordingId });
    const events = (scope: ViewingScope) =>
      ask('catalog.events', { v: 1, sessionId, limit: 10, scope });
    expect((await events(outside)).events).toEqual([]);
    expect((await events(inside)).events).toHaveLength(1);
    expect(
      (await ask('catalog.metrics', { v: 1, sessionId, limit: 10, scope: outside })).samples,
    ).toEqual([]);
  });
});
