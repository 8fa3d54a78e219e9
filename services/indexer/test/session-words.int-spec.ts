/**
 * The per-session word summary (`session_words`) that lets a broad free-text search rule a
 * session out by one row: kept by the event writer in the statement that inserts the events,
 * never missing a word of an event it covers (a session with events from before it has none,
 * one that outgrew its limit keeps NULL, and both are still found through their events), and
 * searches that use it answer exactly as searches that list matches through the text indexes.
 */
import { randomUUID } from 'node:crypto';
import { catalogSearchRequestV1, type RequestOf } from '@sessionrec/contracts';
import { uniqueTestName, waitFor } from '@sessionrec/testing';
import { DataSource } from 'typeorm';
import { SearchQuery } from '../src/queries/search.query';
import {
  DEFAULT_TEST_CONFIG,
  type Indexer,
  publishAll,
  type SeededSession,
  sessionMessages,
  startIndexer,
} from './harness';

describe('session word summaries (real indexer, NATS and PostgreSQL)', () => {
  const name = uniqueTestName('indexer_words');
  let indexer: Indexer;
  /** Every free-text search probes sessions newest first, through the summaries. */
  let probing: SearchQuery;
  let listing: SearchQuery;

  async function words(sessionId: string): Promise<string[] | null | undefined> {
    const { rows } = await indexer.pg.query<{ words: string | null }>(
      `SELECT words FROM "${indexer.schema}".session_words WHERE session_id = $1`,
      [sessionId],
    );
    if (rows.length === 0) return undefined;
    return rows[0]!.words === null ? null : rows[0]!.words.split(' ').sort();
  }

  /** The sessions of a search, probed; the listing plan must give the same reply. */
  async function found(filters: Partial<RequestOf<'catalog.search'>>): Promise<string[]> {
    const request = catalogSearchRequestV1.parse({ v: 1, limit: 25, ...filters });
    const probed = await probing.search(request);
    expect(probed).toEqual(await listing.search(request));
    const textIndexes = new SearchQuery(indexer.service.app.get(DataSource), DEFAULT_TEST_CONFIG);
    textIndexes.byRowMaxRows = 0;
    expect(await textIndexes.search(request)).toEqual(probed);
    return probed.sessions.map((s) => s.sessionId);
  }

  function desktop(startedAt: string, titles: string[]): SeededSession {
    return sessionMessages({
      user: 'dana',
      groups: [],
      host: 'ws-07',
      protocol: 'desktop',
      startedAt,
      events: titles.map((windowTitle, i) => ({
        type: 'app.focus' as const,
        offsetMs: 1000 * (i + 1),
        attributes: { app: 'Gedit', windowTitle },
      })),
    });
  }

  async function indexed(session: SeededSession, events: number): Promise<void> {
    await waitFor(
      async () =>
        (await indexer.count('events', 'session_id = $1', [session.sessionId])) === events,
      20_000,
      'the events to be indexed',
    );
    await indexer.settled();
  }

  /** One more event for a session already indexed. */
  async function addEvent(session: SeededSession, windowTitle: string): Promise<void> {
    await indexer.messaging.publish('event', {
      v: 1,
      eventId: randomUUID(),
      sessionId: session.sessionId,
      agentId: session.agentId,
      type: 'app.focus',
      at: new Date().toISOString(),
      offsetMs: 60_000,
      attributes: { app: 'Gedit', windowTitle },
    });
  }

  beforeAll(async () => {
    indexer = await startIndexer(name);
    const dataSource = indexer.service.app.get(DataSource);
    probing = new SearchQuery(dataSource, { ...DEFAULT_TEST_CONFIG, INDEXER_SEARCH_LIST_ROWS: 0 });
    listing = new SearchQuery(dataSource, DEFAULT_TEST_CONFIG);
  });

  afterAll(async () => {
    await indexer?.cleanup();
  });

  it('keeps each word of a session once, lowercased, and adds nothing on redelivery', async () => {
    const s = desktop('2026-05-01T09:00:00.000Z', ['Payroll Q3.xlsx - Calc', 'payroll  Q4\tdraft']);
    await publishAll(indexer, s.messages);
    await indexed(s, 2);
    const expected = ['-', 'calc', 'draft', 'gedit', 'payroll', 'q3.xlsx', 'q4'];
    expect(await words(s.sessionId)).toEqual(expected);
    await publishAll(indexer, s.messages, true);
    await indexer.settled();
    expect(await words(s.sessionId)).toEqual(expected);
    await addEvent(s, 'Payroll Q5');
    await indexed(s, 3);
    expect(await words(s.sessionId)).toEqual([...expected, 'q5'].sort());
  });

  it('rules out sessions by their words and finds the others, as listing does', async () => {
    const a = desktop('2026-05-02T09:00:00.000Z', ['Quarterly Report - Writer']);
    const b = desktop('2026-05-03T09:00:00.000Z', ['holiday photos']);
    await publishAll(indexer, [...a.messages, ...b.messages]);
    await indexed(a, 1);
    await indexed(b, 1);
    expect(await found({ q: 'quarterly' })).toEqual([a.sessionId]);
    expect(await found({ q: 'QUARTERLY report' })).toEqual([a.sessionId]);
    expect(await found({ q: 'report quarterly' })).toEqual([a.sessionId]);
    expect(await found({ q: 'arterl' })).toEqual([a.sessionId]);
    expect(await found({ q: 'quarterly photos' })).toEqual([]);
    expect(await found({ q: 'photo' })).toEqual([b.sessionId]);
    expect(await found({ q: 'photos or quarterly' })).toEqual([b.sessionId, a.sessionId]);
    expect(await found({ q: 'Report - Writer' })).toEqual([a.sessionId]);
    // With session filters: the listed sessions are narrowed by their summaries first.
    expect(await found({ user: 'dana', q: 'quarterly' })).toEqual([a.sessionId]);
    expect(await found({ user: 'DANA', q: 'holiday PHOTOS' })).toEqual([b.sessionId]);
    expect(await found({ user: 'dana', q: 'nowhere' })).toEqual([]);
  });

  it('leaves a session with events from before its summary without one, still found', async () => {
    const s = desktop('2026-05-04T09:00:00.000Z', ['ledger review']);
    await publishAll(indexer, s.messages);
    await indexed(s, 1);
    // As if indexed before summaries existed: events, no summary row.
    await indexer.pg.query(`DELETE FROM "${indexer.schema}".session_words WHERE session_id = $1`, [
      s.sessionId,
    ]);
    await addEvent(s, 'zebrafish tank');
    await indexed(s, 2);
    expect(await words(s.sessionId)).toBeUndefined();
    expect(await found({ q: 'ledger' })).toEqual([s.sessionId]);
    expect(await found({ q: 'zebrafish' })).toEqual([s.sessionId]);
  });

  it('searches a session whose summary outgrew its limit through its events', async () => {
    const s = desktop('2026-05-05T09:00:00.000Z', ['budget forecast']);
    await publishAll(indexer, s.messages);
    await indexed(s, 1);
    await indexer.pg.query(
      `UPDATE "${indexer.schema}".session_words SET words = NULL WHERE session_id = $1`,
      [s.sessionId],
    );
    await addEvent(s, 'aquarium pump');
    await indexed(s, 2);
    expect(await words(s.sessionId)).toBeNull();
    expect(await found({ q: 'budget' })).toEqual([s.sessionId]);
    expect(await found({ q: 'aquarium' })).toEqual([s.sessionId]);
  });

  it('counts the facets of a broad one-word search from the summaries, as listing does', async () => {
    const known = desktop('2026-05-07T09:00:00.000Z', ['Marmalade recipe']);
    const unknown = sessionMessages({
      user: 'erin',
      groups: [],
      host: 'ws-08',
      protocol: 'desktop',
      startedAt: '2026-05-08T09:00:00.000Z',
      events: [
        { type: 'app.focus', offsetMs: 1000, attributes: { app: 'Gedit', windowTitle: 'jars' } },
        {
          type: 'app.focus',
          offsetMs: 2000,
          attributes: { app: 'Gedit', windowTitle: 'MARMALADES' },
        },
      ],
    });
    const neither = desktop('2026-05-09T09:00:00.000Z', ['jam']);
    await publishAll(indexer, [...known.messages, ...unknown.messages, ...neither.messages]);
    await indexed(known, 1);
    await indexed(unknown, 2);
    await indexed(neither, 1);
    await indexer.pg.query(`DELETE FROM "${indexer.schema}".session_words WHERE session_id = $1`, [
      unknown.sessionId,
    ]);
    // A page of one: the facets are counted over the result set, not the page.
    const request = catalogSearchRequestV1.parse({ v: 1, limit: 1, q: 'marmalade' });
    const probed = await probing.search(request);
    expect(probed).toEqual(await listing.search(request));
    expect(probed.sessions.map((s) => s.sessionId)).toEqual([unknown.sessionId]);
    expect(probed.facetsPartial).toBeUndefined();
    expect(probed.facets.users).toEqual([
      { value: 'dana', count: 1 },
      { value: 'erin', count: 1 },
    ]);
  });

  it('marks a summary unknown when a batch would take it past its limit', async () => {
    // Five titles of 3,960 characters (searchable text is cut at 4,096), 90 words each.
    const titles = Array.from({ length: 5 }, (_, t) =>
      Array.from({ length: 90 }, (_, i) => `${'w'.repeat(40)}${t}-${i}`).join(' '),
    );
    const s = desktop('2026-05-06T09:00:00.000Z', [...titles, 'needle-in-haystack']);
    await publishAll(indexer, s.messages);
    await indexed(s, 6);
    expect(await words(s.sessionId)).toBeNull();
    expect(await found({ q: 'haystack' })).toEqual([s.sessionId]);
  });
});
