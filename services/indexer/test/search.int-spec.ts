/**
 * catalog.search against the real indexer: sessions seeded by publishing the messages
 * ingest publishes, consumed into the catalogue, then searched by every filter, by free
 * text, by combinations, page by page, with facets; a redelivered batch adds nothing; and
 * catalog.session / catalog.events / catalog.recording / catalog.metrics answer pages.
 */
import { randomUUID } from 'node:crypto';
import { catalogSearchRequestV1, type RequestOf } from '@sessionrec/contracts';
import { RequestFailedError } from '@sessionrec/messaging';
import { uniqueTestName, waitFor } from '@sessionrec/testing';
import { DataSource } from 'typeorm';
import { SearchQuery } from '../src/queries/search.query';
import { queryWithin } from '../src/queries/statement-budget';
import {
  DEFAULT_TEST_CONFIG,
  type Indexer,
  publishAll,
  type SeededSession,
  sessionMessages,
  startIndexer,
} from './harness';

describe('catalog.search (real indexer, NATS and PostgreSQL)', () => {
  const name = uniqueTestName('indexer_search');
  let indexer: Indexer;
  let s1: SeededSession;
  let s2: SeededSession;
  let s3: SeededSession;
  let s4: SeededSession;
  let totalEvents = 0;
  /** The same search with every event-level filter probed session by session (a broad search's plan). */
  let probing: SearchQuery;
  /** The same search looking within listed sessions through the text indexes only. */
  let throughTextIndexes: SearchQuery;

  async function search(filters: Partial<RequestOf<'catalog.search'>>) {
    return indexer.messaging.request(
      'catalog.search',
      { v: 1, limit: 25, ...filters },
      { timeoutMs: 10_000 },
    );
  }

  async function ids(filters: Partial<RequestOf<'catalog.search'>>): Promise<string[]> {
    return (await search(filters)).sessions.map((s) => s.sessionId);
  }

  beforeAll(async () => {
    indexer = await startIndexer(name);
    s1 = sessionMessages({
      user: 'alice',
      groups: ['finance'],
      host: 'ws-01',
      clientAddress: '10.1.2.3',
      protocol: 'desktop',
      startedAt: '2026-03-01T09:00:00.000Z',
      endedAt: '2026-03-01T10:00:00.000Z',
      events: [
        {
          type: 'app.start',
          offsetMs: 1_000,
          attributes: { app: 'LibreOffice', commandLine: '/usr/bin/soffice --calc' },
        },
        {
          type: 'app.focus',
          offsetMs: 5_000,
          attributes: { app: 'LibreOffice', windowTitle: 'Payroll Q3.xlsx - Calc' },
        },
        {
          type: 'usb.insert',
          offsetMs: 60_000,
          attributes: { vendor: 'SanDisk', mountPoint: '/media/usb0' },
        },
        {
          type: 'file.write.removable',
          offsetMs: 61_000,
          attributes: { path: '/media/usb0/customers.csv', bytes: 5000 },
        },
      ],
    });
    s2 = sessionMessages({
      user: 'bob',
      groups: ['engineering'],
      host: 'srv-db',
      clientAddress: '192.168.5.9',
      protocol: 'terminal',
      startedAt: '2026-03-02T09:00:00.000Z',
      endedAt: '2026-03-02T09:30:00.000Z',
      events: [
        {
          type: 'command.start',
          offsetMs: 2_000,
          attributes: { commandLine: 'sudo cat /etc/shadow' },
        },
        {
          type: 'privilege.use',
          offsetMs: 2_100,
          attributes: { tool: 'sudo', commandLine: 'sudo cat /etc/shadow' },
        },
      ],
    });
    s3 = sessionMessages({
      user: 'carol',
      groups: ['finance', 'admins'],
      host: 'ws-02',
      clientAddress: '2001:db8::7',
      protocol: 'desktop',
      startedAt: '2026-03-03T09:00:00.000Z',
      endedAt: '2026-03-03T11:00:00.000Z',
      events: [
        {
          type: 'app.focus',
          offsetMs: 3_000,
          attributes: { app: 'firefox', windowTitle: 'Bank portal - Mozilla Firefox' },
        },
        { type: 'clipboard.use', offsetMs: 4_000, attributes: { operation: 'copy', bytes: 12 } },
      ],
    });
    s4 = sessionMessages({
      user: 'alice',
      groups: ['finance'],
      host: 'ws-01',
      clientAddress: '10.1.9.9',
      protocol: 'desktop',
      startedAt: '2026-03-04T09:00:00.000Z',
      events: [
        {
          type: 'app.focus',
          offsetMs: 7_000,
          attributes: { app: 'firefox', windowTitle: 'Payroll news - Mozilla Firefox' },
        },
      ],
    });
    const all = [s1, s2, s3, s4];
    totalEvents = all.reduce((n, s) => n + s.eventIds.length, 0);
    for (const s of all) await publishAll(indexer, s.messages);
    await waitFor(async () => (await indexer.count('events')) === totalEvents, 20_000, 'events');
    await indexer.settled();
    probing = new SearchQuery(indexer.service.app.get(DataSource), {
      ...DEFAULT_TEST_CONFIG,
      INDEXER_SEARCH_LIST_ROWS: 0,
    });
    throughTextIndexes = new SearchQuery(indexer.service.app.get(DataSource), DEFAULT_TEST_CONFIG);
    throughTextIndexes.byRowMaxRows = 0;
  });

  afterAll(async () => {
    await indexer?.cleanup();
  });

  it('lists every session newest first without filters, with its recordings', async () => {
    const reply = await search({});
    expect(reply.sessions.map((s) => s.sessionId)).toEqual([
      s4.sessionId,
      s3.sessionId,
      s2.sessionId,
      s1.sessionId,
    ]);
    const first = reply.sessions[3]!;
    expect(first).toMatchObject({
      user: 'alice',
      groups: ['finance'],
      host: 'ws-01',
      clientAddress: '10.1.2.3',
      protocol: 'desktop',
      startedAt: '2026-03-01T09:00:00.000Z',
      endedAt: '2026-03-01T10:00:00.000Z',
      endReason: 'logout',
      matches: [],
    });
    expect(first.recordings).toEqual([
      expect.objectContaining({ recordingId: s1.recordingId, kind: 'screen', reason: 'policy' }),
    ]);
    expect(reply.nextCursor).toBeUndefined();
  });

  it.each<[string, () => Partial<RequestOf<'catalog.search'>>, () => SeededSession[]]>([
    ['user', () => ({ user: 'ALICE' }), () => [s4, s1]],
    ['group', () => ({ group: 'finance' }), () => [s4, s3, s1]],
    ['host', () => ({ host: 'srv-db' }), () => [s2]],
    ['client range', () => ({ client: '10.1.0.0/16' }), () => [s4, s1]],
    ['client address', () => ({ client: '192.168.5.9' }), () => [s2]],
    ['IPv6 client range', () => ({ client: '2001:db8::/32' }), () => [s3]],
    ['application', () => ({ app: 'firefox' }), () => [s4, s3]],
    ['application, any case', () => ({ app: 'libreoffice' }), () => [s1]],
    ['event type', () => ({ event: 'usb.insert' }), () => [s1]],
    [
      'time range',
      () => ({ from: '2026-03-02T00:00:00Z', to: '2026-03-03T23:59:59Z' }),
      () => [s3, s2],
    ],
    [
      'time range inside a session',
      () => ({ from: '2026-03-01T09:30:00Z', to: '2026-03-01T09:31:00Z' }),
      () => [s1],
    ],
    ['free text word in a title', () => ({ q: 'payroll' }), () => [s4, s1]],
    ['free text substring of a path', () => ({ q: 'etc/shad' }), () => [s2]],
    ['free text file name', () => ({ q: 'customers.csv' }), () => [s1]],
    ['free text in event details', () => ({ q: 'SanDisk' }), () => [s1]],
    ['free text in a command line', () => ({ q: 'soffice' }), () => [s1]],
    ['free text matching nothing', () => ({ q: 'zebra-unicorn' }), () => []],
    [
      'application and free text on one event',
      () => ({ app: 'firefox', q: 'payroll' }),
      () => [s4],
    ],
    ['user and event type', () => ({ user: 'alice', event: 'usb.insert' }), () => [s1]],
    ['group and host', () => ({ group: 'admins', host: 'ws-02' }), () => [s3]],
    ['nobody', () => ({ user: 'mallory' }), () => []],
  ])('filters by %s', async (_what, filters, expected) => {
    expect(await ids(filters())).toEqual(expected().map((s) => s.sessionId));
    // Listing the matching sessions first or probing each session gives the same answer.
    const request = catalogSearchRequestV1.parse({ v: 1, limit: 25, ...filters() });
    expect(await probing.search(request)).toEqual(await search(filters()));
    // Matches within listed sessions looked up through the text indexes, not row by row.
    expect(await throughTextIndexes.search(request)).toEqual(await search(filters()));
  });

  it('lists only the sessions in progress with open, and the ended ones with open false', async () => {
    const live = await search({ open: true });
    expect(live.sessions.map((s) => s.sessionId)).toEqual([s4.sessionId]);
    // When the host was last heard from: the silent-host sweep's clock, for the live view.
    const last = Date.parse(live.sessions[0]!.lastActivityAt ?? '');
    expect(Date.now() - last).toBeLessThan(10 * 60_000);
    expect(live.facets.users).toEqual([{ value: 'alice', count: 1 }]);
    const ended = await search({ open: false });
    expect(ended.sessions.map((s) => s.sessionId)).toEqual([
      s3.sessionId,
      s2.sessionId,
      s1.sessionId,
    ]);
    expect((await search({ open: true, user: 'bob' })).sessions).toEqual([]);
  });

  it('lists the matching events with their session offsets and snippets', async () => {
    const reply = await search({ q: 'payroll' });
    const alice1 = reply.sessions.find((s) => s.sessionId === s1.sessionId)!;
    expect(alice1.matches).toEqual([
      expect.objectContaining({
        eventId: s1.eventIds[1],
        type: 'app.focus',
        offsetMs: 5_000,
        recordingId: s1.recordingId,
        snippet: 'Payroll Q3.xlsx - Calc',
        at: '2026-03-01T09:00:05.000Z',
      }),
    ]);
    const usb = await search({ event: 'usb.insert' });
    expect(usb.sessions[0]!.matches.map((m) => m.offsetMs)).toEqual([60_000]);
  });

  it('pages with a keyset cursor and rejects a forged one', async () => {
    const first = await search({ limit: 3 });
    expect(first.sessions.map((s) => s.sessionId)).toEqual([
      s4.sessionId,
      s3.sessionId,
      s2.sessionId,
    ]);
    expect(first.nextCursor).toBeDefined();
    const second = await search({ limit: 3, cursor: first.nextCursor });
    expect(second.sessions.map((s) => s.sessionId)).toEqual([s1.sessionId]);
    expect(second.nextCursor).toBeUndefined();
    await expect(search({ cursor: 'AAAA' })).rejects.toThrow(RequestFailedError);
  });

  it('counts facets over the whole result set, not just the page', async () => {
    const reply = await search({ limit: 1 });
    expect(reply.facets.users).toEqual([
      { value: 'alice', count: 2 },
      { value: 'bob', count: 1 },
      { value: 'carol', count: 1 },
    ]);
    expect(reply.facets.apps).toEqual([
      { value: 'firefox', count: 2 },
      { value: 'LibreOffice', count: 1 },
    ]);
    expect(reply.facets.eventTypes).toContainEqual({ value: 'app.focus', count: 3 });
    expect(reply.facets.hosts).toContainEqual({ value: 'ws-01', count: 2 });
    const finance = await search({ group: 'finance' });
    expect(finance.facets.users).toEqual([
      { value: 'alice', count: 2 },
      { value: 'carol', count: 1 },
    ]);
  });

  it('counts facets over the page, flagged partial, when the result set takes too long', async () => {
    // Budget 0: the result set is never counted, as when counting ran out of time.
    const hurried = new SearchQuery(indexer.service.app.get(DataSource), DEFAULT_TEST_CONFIG);
    hurried.facetsBudgetMs = 0;
    const ask = (filters: Partial<RequestOf<'catalog.search'>>) =>
      hurried.search(catalogSearchRequestV1.parse({ v: 1, limit: 25, ...filters }));
    const page = await ask({ limit: 2 });
    expect(page.sessions.map((s) => s.sessionId)).toEqual([s4.sessionId, s3.sessionId]);
    expect(page.facetsPartial).toBe(true);
    expect(page.facets.users).toEqual([
      { value: 'alice', count: 1 },
      { value: 'carol', count: 1 },
    ]);
    const next = await ask({ limit: 2, cursor: page.nextCursor });
    expect(next.facetsPartial).toBe(true);
    expect(next.facets.users).toEqual([
      { value: 'alice', count: 1 },
      { value: 'bob', count: 1 },
    ]);
    // A page holding the whole result set counts it exactly: no flag, same reply.
    const whole = await ask({ q: 'payroll' });
    expect(whole.facetsPartial).toBeUndefined();
    expect(whole).toEqual(await search({ q: 'payroll' }));
    expect(await ask({ user: 'mallory' })).toEqual(await search({ user: 'mallory' }));
  });

  it('gives up on a statement that runs past its time limit, and only then', async () => {
    const dataSource = indexer.service.app.get(DataSource);
    expect(await queryWithin(dataSource, 50, 'SELECT pg_sleep(2)', [])).toBeUndefined();
    expect(await queryWithin(dataSource, 5_000, 'SELECT $1::int AS n', [7])).toEqual([{ n: 7 }]);
    // Other errors are not swallowed, and the limit ended with its transaction.
    await expect(queryWithin(dataSource, 5_000, 'SELECT 1/0', [])).rejects.toThrow(/division/);
    const shown = await dataSource.query<{ statement_timeout: string }[]>('SHOW statement_timeout');
    expect(shown).toEqual([{ statement_timeout: '0' }]);
    // Without JIT compilation for that statement only.
    const jitBefore = await dataSource.query<{ jit: string }[]>('SHOW jit');
    expect(await queryWithin(dataSource, 5_000, 'SHOW jit', [])).toEqual([{ jit: 'off' }]);
    expect(await dataSource.query('SHOW jit')).toEqual(jitBefore);
  });

  it('creates no duplicates when a batch is delivered again under new message ids', async () => {
    const before = {
      events: await indexer.count('events'),
      apps: await indexer.pg.query(
        `SELECT name, event_count FROM "${indexer.schema}".session_apps ORDER BY 1, 2`,
      ),
      sessions: await indexer.count('sessions'),
      recordings: await indexer.count('recordings'),
    };
    await publishAll(indexer, [...s1.messages, ...s3.messages], true);
    await indexer.settled();
    expect(await indexer.count('events')).toBe(before.events);
    expect(await indexer.count('sessions')).toBe(before.sessions);
    expect(await indexer.count('recordings')).toBe(before.recordings);
    const apps = await indexer.pg.query(
      `SELECT name, event_count FROM "${indexer.schema}".session_apps ORDER BY 1, 2`,
    );
    expect(apps.rows).toEqual(before.apps.rows);
    expect(await ids({ user: 'alice' })).toEqual([s4.sessionId, s1.sessionId]);
  });

  it('answers catalog.session with counts, and null for an unknown session', async () => {
    const reply = await indexer.messaging.request(
      'catalog.session',
      { v: 1, sessionId: s1.sessionId },
      { timeoutMs: 10_000 },
    );
    expect(reply.session).toMatchObject({
      sessionId: s1.sessionId,
      user: 'alice',
      counts: { events: 4, segments: 0, bytes: 0 },
    });
    const unknown = await indexer.messaging.request(
      'catalog.session',
      { v: 1, sessionId: randomUUID() },
      { timeoutMs: 10_000 },
    );
    expect(unknown.session).toBeNull();
  });

  it('pages the timeline of catalog.events, by range and type', async () => {
    const page1 = await indexer.messaging.request(
      'catalog.events',
      { v: 1, sessionId: s1.sessionId, limit: 3 },
      { timeoutMs: 10_000 },
    );
    expect(page1.events.map((e) => e.offsetMs)).toEqual([1_000, 5_000, 60_000]);
    expect(page1.events[2]!.attributes).toEqual({ vendor: 'SanDisk', mountPoint: '/media/usb0' });
    const page2 = await indexer.messaging.request(
      'catalog.events',
      { v: 1, sessionId: s1.sessionId, limit: 3, cursor: page1.nextCursor },
      { timeoutMs: 10_000 },
    );
    expect(page2.events.map((e) => e.eventId)).toEqual([s1.eventIds[3]]);
    expect(page2.nextCursor).toBeUndefined();
    const ranged = await indexer.messaging.request(
      'catalog.events',
      {
        v: 1,
        sessionId: s1.sessionId,
        limit: 100,
        fromMs: 2_000,
        toMs: 61_000,
        types: ['usb.insert', 'app.start'],
      },
      { timeoutMs: 10_000 },
    );
    expect(ranged.events.map((e) => e.type)).toEqual(['usb.insert']);
  });

  it('pages catalog.recording segments and ranges, with the init segment, gaps and liveness', async () => {
    const sessionId = s4.sessionId;
    const recordingId = s4.recordingId;
    const agentId = s4.agentId;
    const sha = (n: number) => n.toString(16).padStart(64, '0');
    for (let seq = 0; seq <= 10; seq++) {
      if (seq === 6 || seq === 7) continue;
      await indexer.messaging.publish('segment.stored', {
        v: 1,
        recordingId,
        sessionId,
        agentId,
        seq,
        kind: seq === 0 ? 'init' : 'media',
        key: `recordings/2026/03/04/${recordingId}/${seq === 0 ? 'init.mp4' : `${String(seq).padStart(8, '0')}.m4s`}`,
        size: 1000 + seq,
        sha256: sha(seq + 1),
        ...(seq > 1 ? { prevSha256: sha(seq) } : {}),
        startMs: seq === 0 ? 0 : (seq - 1) * 4000,
        endMs: seq === 0 ? 0 : seq * 4000,
        storedAt: '2026-03-04T09:10:00.000Z',
      });
    }
    await indexer.messaging.publish('segment.gap', {
      v: 1,
      recordingId,
      sessionId,
      agentId,
      fromSeq: 6,
      toSeq: 7,
      detectedAt: '2026-03-04T09:10:00.000Z',
    });
    await indexer.settled();
    const ask = (extra: Partial<RequestOf<'catalog.recording'>>) =>
      indexer.messaging.request(
        'catalog.recording',
        { v: 1, recordingId, limit: 1000, ...extra },
        { timeoutMs: 10_000 },
      );
    const page1 = await ask({ limit: 4 });
    expect(page1.recording).toMatchObject({
      recordingId,
      sessionId,
      kind: 'screen',
      live: true,
      init: { key: `recordings/2026/03/04/${recordingId}/init.mp4`, size: 1000, sha256: sha(1) },
      gaps: [{ fromSeq: 6, toSeq: 7 }],
      nextAfterSeq: 4,
    });
    expect(page1.recording!.segments.map((s) => s.seq)).toEqual([1, 2, 3, 4]);
    expect(page1.recording!.segments[1]).toMatchObject({
      prevSha256: sha(2),
      startMs: 4000,
      endMs: 8000,
    });
    const page2 = await ask({ limit: 4, afterSeq: 4 });
    expect(page2.recording!.segments.map((s) => s.seq)).toEqual([5, 8, 9, 10]);
    expect(page2.recording!.nextAfterSeq).toBeUndefined();
    const ranged = await ask({ fromMs: 9_000, toMs: 16_000 });
    expect(ranged.recording!.segments.map((s) => s.seq)).toEqual([3, 4]);
    // Segment boundaries: [8000, 12000) is exactly segment 3, not its neighbours.
    const exact = await ask({ fromMs: 8_000, toMs: 12_000 });
    expect(exact.recording!.segments.map((s) => [s.seq, s.startMs, s.endMs])).toEqual([
      [3, 8000, 12000],
    ]);

    await indexer.messaging.publish('recording.stopped', {
      v: 1,
      sessionId,
      recordingId,
      agentId,
      at: '2026-03-04T09:20:00.000Z',
      reason: 'admin',
      actor: 'admin',
    });
    await indexer.settled();
    const stopped = await ask({});
    expect(stopped.recording).toMatchObject({ live: false, stoppedAt: '2026-03-04T09:20:00.000Z' });
    const missing = await indexer.messaging.request(
      'catalog.recording',
      { v: 1, recordingId: randomUUID(), limit: 10 },
      { timeoutMs: 10_000 },
    );
    expect(missing.recording).toBeNull();
  });

  it('pages catalog.metrics in session order', async () => {
    for (let i = 0; i < 5; i++) {
      await indexer.messaging.publish('metric.network', {
        v: 1,
        sampleId: randomUUID(),
        sessionId: s3.sessionId,
        agentId: s3.agentId,
        at: new Date(Date.parse('2026-03-03T09:00:00Z') + i * 5000).toISOString(),
        offsetMs: i * 5000,
        rttMs: 20 + i,
        jitterMs: 1.5,
        retransmits: i,
        throughputBps: 1e6,
      });
    }
    await indexer.settled();
    const page1 = await indexer.messaging.request(
      'catalog.metrics',
      { v: 1, sessionId: s3.sessionId, limit: 3 },
      { timeoutMs: 10_000 },
    );
    expect(page1.samples.map((m) => m.rttMs)).toEqual([20, 21, 22]);
    const page2 = await indexer.messaging.request(
      'catalog.metrics',
      { v: 1, sessionId: s3.sessionId, limit: 3, cursor: page1.nextCursor },
      { timeoutMs: 10_000 },
    );
    expect(page2.samples.map((m) => m.offsetMs)).toEqual([15_000, 20_000]);
    expect(page2.nextCursor).toBeUndefined();
  });
});
