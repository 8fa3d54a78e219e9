/**
 * Terminal output made searchable, against the real indexer, NATS JetStream, PostgreSQL
 * and the S3 test server: asciicast segments are stored as ingest stores them and
 * announced with segment.stored; the indexer reads them, and catalog.search finds the
 * session by its output with the session offset of the matching line. A redelivered
 * segment adds nothing; a missing, altered or non-asciicast object is dead-lettered with
 * its reason while the consumer goes on with the next segment.
 */
import { createHash, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  catalogSearchRequestV1,
  HEADERS,
  type MessageInput,
  type RequestOf,
} from '@sessionrec/contracts';
import { segmentKey } from '@sessionrec/storage';
import { readStream, uniqueTestName, waitFor } from '@sessionrec/testing';
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

const STARTED_AT = '2026-04-01T08:00:00.000Z';
/** Session offset of the recording's first segment: cast times count from here. */
const ORIGIN_MS = 2_000;

const castRows = (...rows: unknown[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;

describe('terminal output search (real indexer, NATS, PostgreSQL and S3)', () => {
  const name = uniqueTestName('indexer_terminal');
  let indexer: Indexer;
  let shell: SeededSession;
  let desktop: SeededSession;
  let shellSegments: MessageInput<'segment.stored'>[] = [];
  /** The same search probing each session instead of listing matches first. */
  let probing: SearchQuery;

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

  /** Stores a segment's bytes as ingest does and returns the segment.stored it publishes. */
  async function storeSegment(
    session: SeededSession,
    seq: number,
    bytes: Buffer,
    range: { startMs: number; endMs: number },
    options: { store?: boolean; sha256?: string; kind?: 'cast' | 'media' } = {},
  ): Promise<MessageInput<'segment.stored'>> {
    const kind = options.kind ?? 'cast';
    const key = segmentKey(
      session.recordingId,
      new Date(STARTED_AT),
      seq,
      kind === 'cast' ? 'cast' : 'm4s',
    );
    if (options.store !== false) await indexer.store.putIfAbsent(key, bytes);
    return {
      v: 1,
      recordingId: session.recordingId,
      sessionId: session.sessionId,
      agentId: session.agentId,
      seq,
      kind,
      key,
      size: bytes.length,
      sha256: options.sha256 ?? createHash('sha256').update(bytes).digest('hex'),
      startMs: range.startMs,
      endMs: range.endMs,
      storedAt: new Date(Date.parse(STARTED_AT) + range.endMs).toISOString(),
    };
  }

  const segmentRows = (recordingId: string) =>
    indexer.count('terminal_segments', 'recording_id = $1', [recordingId]);

  beforeAll(async () => {
    indexer = await startIndexer(name);
    shell = sessionMessages({
      user: 'dave',
      groups: ['ops'],
      host: 'db-01',
      protocol: 'terminal',
      startedAt: STARTED_AT,
      endedAt: '2026-04-01T09:00:00.000Z',
      events: [
        {
          type: 'command.start',
          offsetMs: ORIGIN_MS + 600,
          attributes: { commandLine: 'rsync -av /srv/payroll backup:/vault' },
        },
      ],
    });
    desktop = sessionMessages({
      user: 'erin',
      groups: ['ops'],
      host: 'ws-09',
      protocol: 'desktop',
      startedAt: '2026-04-02T08:00:00.000Z',
      events: [
        { type: 'app.focus', offsetMs: 1_000, attributes: { app: 'firefox', title: 'Quota' } },
      ],
    });
    await publishAll(indexer, [...shell.messages, ...desktop.messages]);
    const first = await storeSegment(
      shell,
      0,
      Buffer.from(
        castRows(
          { version: 2, width: 120, height: 32, timestamp: Date.parse(STARTED_AT) / 1000 + 2 },
          [0.1, 'o', '\u001b[01;32mdave@db-01\u001b[00m:~$ '],
          [0.3, 'o', 'r'],
          [0.4, 'o', 'sync -av /srv/payroll backup:/vault'],
          [0.6, 'o', '\r\n'],
          [0.9, 'o', 'sending incremental file list\r\n'],
        ),
      ),
      { startMs: ORIGIN_MS, endMs: ORIGIN_MS + 5_000 },
    );
    // Stored gzip-compressed, as the terminal agent stores its segments.
    const second = await storeSegment(
      shell,
      1,
      gzipSync(
        castRows(
          [5.5, 'o', 'payroll-2026.csv\r\n'],
          [6.2, 'o', '\u001b[31mrsync error\u001b[0m: disk quota exceeded (code 11)\r\n'],
          [7, 'o', 'dave@db-01:~$ '],
        ),
      ),
      { startMs: ORIGIN_MS + 5_000, endMs: ORIGIN_MS + 10_000 },
    );
    // A screen segment has no text: the terminal consumer leaves it alone.
    const media = await storeSegment(desktop, 1, Buffer.from('not a cast'), {
      startMs: 0,
      endMs: 4_000,
    });
    media.kind = 'media';
    shellSegments = [first, second];
    for (const payload of [first, second, media]) {
      await indexer.messaging.publish('segment.stored', payload);
    }
    await waitFor(async () => (await segmentRows(shell.recordingId)) === 2, 20_000, 'cast text');
    await indexer.settled();
    probing = new SearchQuery(indexer.service.app.get(DataSource), {
      ...DEFAULT_TEST_CONFIG,
      INDEXER_SEARCH_LIST_ROWS: 0,
    });
  });

  afterAll(async () => {
    await indexer?.cleanup();
  });

  it('keeps the printable lines of each segment, escape sequences removed', async () => {
    const { rows } = await indexer.pg.query<{ seq: number; text: string; line_ms: string[] }>(
      `SELECT seq, text, line_ms FROM "${indexer.schema}".terminal_text
        WHERE recording_id = $1 ORDER BY seq, chunk`,
      [shell.recordingId],
    );
    expect(rows).toEqual([
      {
        seq: 0,
        text: 'dave@db-01:~$ rsync -av /srv/payroll backup:/vault\nsending incremental file list',
        line_ms: ['100', '900'],
      },
      {
        seq: 1,
        text: 'payroll-2026.csv\nrsync error: disk quota exceeded (code 11)\ndave@db-01:~$',
        line_ms: ['5500', '6200', '7000'],
      },
    ]);
    expect(await indexer.count('terminal_segments', 'session_id = $1', [desktop.sessionId])).toBe(
      0,
    );
  });

  it.each<[string, Partial<RequestOf<'catalog.search'>>, () => SeededSession[]]>([
    ['a word of output', { q: 'incremental' }, () => [shell]],
    ['words across lines of one chunk', { q: 'payroll-2026.csv quota' }, () => [shell]],
    ['a phrase', { q: '"disk quota exceeded"' }, () => [shell]],
    ['a substring', { q: 'ota excee' }, () => [shell]],
    ['words in output and in an event title, either', { q: 'quota' }, () => [desktop, shell]],
    [
      'output only when no event filter is given',
      { q: 'quota', event: 'app.focus' },
      () => [desktop],
    ],
    [
      'output inside the time range',
      { q: 'incremental', from: '2026-04-01T08:00:02Z', to: '2026-04-01T08:00:03Z' },
      () => [shell],
    ],
    [
      'not output outside it',
      { q: 'incremental', from: '2026-04-01T08:00:03Z', to: '2026-04-01T08:30:00Z' },
      () => [],
    ],
    ['output with session filters', { q: 'incremental', user: 'erin' }, () => []],
    ['nothing for text printed nowhere', { q: 'kernel panic' }, () => []],
  ])('finds sessions by %s', async (_what, filters, expected) => {
    expect(await ids(filters)).toEqual(expected().map((s) => s.sessionId));
    const request = catalogSearchRequestV1.parse({ v: 1, limit: 25, ...filters });
    expect(await probing.search(request)).toEqual(await search(filters));
  });

  it('answers the matching line with its session offset, time and recording', async () => {
    const reply = await search({ q: 'quota' });
    const matches = reply.sessions.find((s) => s.sessionId === shell.sessionId)!.matches;
    expect(matches).toEqual([
      {
        kind: 'terminal-output',
        recordingId: shell.recordingId,
        offsetMs: ORIGIN_MS + 6_200,
        at: new Date(Date.parse(STARTED_AT) + ORIGIN_MS + 6_200).toISOString(),
        snippet: 'rsync error: disk quota exceeded (code 11)',
      },
    ]);
    // An event and output lines that match are merged in session order.
    const both = await search({ q: 'rsync' });
    expect(
      both.sessions[0]!.matches.map((m) =>
        'kind' in m ? `output ${m.offsetMs}` : `event ${m.offsetMs}`,
      ),
    ).toEqual([
      `output ${ORIGIN_MS + 100}`,
      `event ${ORIGIN_MS + 600}`,
      `output ${ORIGIN_MS + 6_200}`,
    ]);
  });

  it('adds nothing when a segment is delivered again', async () => {
    const before = await indexer.count('terminal_text');
    for (const payload of shellSegments) {
      await indexer.messaging.publish('segment.stored', payload, { messageId: randomUUID() });
    }
    await indexer.settled();
    expect(await indexer.count('terminal_text')).toBe(before);
    expect(await segmentRows(shell.recordingId)).toBe(2);
    expect(await ids({ q: 'incremental' })).toEqual([shell.sessionId]);
  });

  it('dead-letters a missing, altered or non-asciicast segment and goes on', async () => {
    const other = sessionMessages({
      user: 'frank',
      groups: [],
      host: 'db-02',
      protocol: 'terminal',
      startedAt: '2026-04-03T08:00:00.000Z',
      events: [],
    });
    await publishAll(indexer, other.messages);
    const window = (seq: number) => ({ startMs: seq * 5_000, endMs: (seq + 1) * 5_000 });
    const missing = await storeSegment(
      other,
      0,
      Buffer.from(castRows([1, 'o', 'x\n'])),
      window(0),
      {
        store: false,
      },
    );
    const altered = await storeSegment(
      other,
      1,
      Buffer.from(castRows([6, 'o', 'y\n'])),
      window(1),
      {
        sha256: 'a'.repeat(64),
      },
    );
    const garbage = await storeSegment(
      other,
      2,
      Buffer.from('\u0000\u0001binary\nnoise\n'),
      window(2),
    );
    const good = await storeSegment(
      other,
      3,
      Buffer.from(castRows([16, 'o', 'segment after the broken ones\r\n'])),
      window(3),
    );
    for (const payload of [missing, altered, garbage, good]) {
      await indexer.messaging.publish('segment.stored', payload);
    }
    await waitFor(async () => (await segmentRows(other.recordingId)) === 1, 20_000, 'good segment');
    expect(await ids({ q: 'broken ones' })).toEqual([other.sessionId]);

    let reasons: string[] = [];
    await waitFor(
      async () => {
        const dead = await readStream(indexer.nc, name, 'DEADLETTER');
        reasons = dead
          .filter((m) => m.header.get(HEADERS.dlqConsumer) === 'indexer-terminal-text')
          .map((m) => m.header.get(HEADERS.dlqReason));
        return reasons.length === 3;
      },
      20_000,
      'three dead letters',
    );
    expect(reasons.sort()).toEqual([
      expect.stringMatching(
        /^permanent error: cast segment .*0000000000\.cast is not in the object store$/,
      ),
      expect.stringMatching(
        /^permanent error: cast segment .*0000000001\.cast does not match the SHA-256/,
      ),
      expect.stringMatching(/^permanent error: cast segment .*0000000002\.cast is not asciicast/),
    ]);
    // The catalogue still lists every segment: only their text could not be indexed.
    expect(await indexer.count('segments', 'recording_id = $1', [other.recordingId])).toBe(4);
  });
});
