/**
 * The api's side of the catalogue questions, against a responder on real NATS serving
 * fixture data: filters are validated and forwarded as catalog.* requests, replies are
 * mapped, a live recording's playlist grows, gaps become discontinuities, and an indexer
 * that does not answer becomes a 503.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { CatalogRecordingDetail, CatalogSearchResult } from '@sessionrec/contracts';
import { adminToken, type ApiHarness, get, startApi } from './api-harness';

const sessionId = randomUUID();
const agentId = randomUUID();
const recordingId = randomUUID();

const result: CatalogSearchResult = {
  sessionId,
  agentId,
  user: 'alice',
  groups: ['finance'],
  host: 'ws-01',
  clientAddress: '10.0.0.7',
  protocol: 'desktop',
  startedAt: '2030-05-06T07:08:09.000Z',
  recordings: [
    {
      recordingId,
      kind: 'screen',
      startedAt: '2030-05-06T07:08:10.000Z',
      reason: 'policy',
    },
  ],
  matches: [
    {
      eventId: randomUUID(),
      type: 'usb.insert',
      at: '2030-05-06T07:09:09.000Z',
      offsetMs: 60_000,
      recordingId,
      snippet: 'SanDisk Ultra',
    },
  ],
};

function segment(seq: number, bytes: Buffer) {
  return {
    seq,
    kind: 'media' as const,
    key: `recordings/2030/05/06/${recordingId}/${String(seq).padStart(10, '0')}.m4s`,
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    startMs: (seq - 1) * 4000,
    endMs: seq * 4000,
  };
}

async function errorOf(res: Response): Promise<{ status: number; code: string; message: string }> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  return { status: res.status, ...body.error };
}

describe('api catalogue questions (real NATS request/reply to a fixture responder)', () => {
  let harness: ApiHarness;
  let token: string;

  beforeAll(async () => {
    harness = await startApi('api-catalog');
    token = await adminToken(harness);
  });

  afterAll(async () => {
    await harness.cleanup();
  });

  it('forwards every search filter as catalog.search and maps the reply', async () => {
    harness.catalog.searchReply = {
      sessions: [result],
      nextCursor: 'abc_123',
      facets: {
        users: [{ value: 'alice', count: 1 }],
        hosts: [{ value: 'ws-01', count: 1 }],
        apps: [],
        eventTypes: [{ value: 'usb.insert', count: 1 }],
      },
    };
    const query = new URLSearchParams({
      user: 'alice',
      group: 'finance',
      host: 'ws-01',
      client: '10.0.0.0/8',
      app: 'firefox',
      event: 'usb.insert',
      q: 'quarterly report',
      from: '2030-05-06T00:00:00Z',
      to: '2030-05-07T00:00:00Z',
      cursor: 'prev_page',
      limit: '10',
    });
    const res = await get(harness, `/api/v1/sessions?${query.toString()}`, token);
    expect(res.status).toBe(200);
    expect(harness.catalog.lastRequest('catalog.search')).toEqual({
      v: 1,
      user: 'alice',
      group: 'finance',
      host: 'ws-01',
      client: '10.0.0.0/8',
      app: 'firefox',
      event: 'usb.insert',
      q: 'quarterly report',
      from: '2030-05-06T00:00:00Z',
      to: '2030-05-07T00:00:00Z',
      cursor: 'prev_page',
      limit: 10,
    });
    expect(await res.json()).toEqual({
      sessions: [result],
      facets: harness.catalog.searchReply.facets,
      nextCursor: 'abc_123',
    });

    const plain = await get(harness, '/api/v1/sessions', token);
    expect(plain.status).toBe(200);
    expect(harness.catalog.lastRequest('catalog.search')).toEqual({ v: 1, limit: 25 });
  });

  it('says when the facets count only the page', async () => {
    harness.catalog.searchReply = {
      sessions: [result],
      facets: { users: [{ value: 'alice', count: 1 }], hosts: [], apps: [], eventTypes: [] },
      facetsPartial: true,
    };
    const res = await get(harness, '/api/v1/sessions?q=report', token);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ facetsPartial: true, nextCursor: null });
  });

  it('answers 400 naming the parameter for bad search input', async () => {
    const cases: [string, string][] = [
      ['from=yesterday', 'query.from'],
      ['to=2030-13-01T00:00:00Z', 'query.to'],
      ['from=2030-05-07T00:00:00Z&to=2030-05-06T00:00:00Z', 'query.from'],
      ['event=not.a.type', 'query.event'],
      ['client=999.1.1.1', 'query.client'],
      ['limit=0', 'query.limit'],
      ['limit=101', 'query.limit'],
      ['limit=ten', 'query.limit'],
      ['cursor=%20', 'query.cursor'],
      ['user=a&user=b', 'query.user'],
      ['colour=blue', 'query'],
    ];
    const before = harness.catalog.requests.length;
    for (const [query, parameter] of cases) {
      const error = await errorOf(await get(harness, `/api/v1/sessions?${query}`, token));
      expect({ query, status: error.status, code: error.code }).toEqual({
        query,
        status: 400,
        code: 'validation',
      });
      expect(error.message.startsWith(parameter)).toBe(true);
    }
    expect(harness.catalog.requests.length).toBe(before);
  });

  it('returns a session, 404 for an unknown one, and 400 for a malformed id', async () => {
    const { matches: _matches, ...fields } = result;
    harness.catalog.sessions.set(sessionId, {
      ...fields,
      counts: { events: 3, segments: 2, bytes: 2048 },
    });
    const res = await get(harness, `/api/v1/sessions/${sessionId}`, token);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { counts: unknown }).counts).toEqual({
      events: 3,
      segments: 2,
      bytes: 2048,
    });
    expect(
      (await errorOf(await get(harness, `/api/v1/sessions/${randomUUID()}`, token))).code,
    ).toBe('not_found');
    const bad = await errorOf(await get(harness, '/api/v1/sessions/not-a-uuid', token));
    expect(bad).toMatchObject({ status: 400, code: 'validation' });
    expect(bad.message.startsWith('params')).toBe(true);
  });

  it('forwards timeline filters as catalog.events and catalog.metrics', async () => {
    const events = await get(
      harness,
      `/api/v1/sessions/${sessionId}/events?from=1000&to=5000&types=app.start,usb.insert&limit=50`,
      token,
    );
    expect(events.status).toBe(200);
    expect(await events.json()).toEqual({ events: [], nextCursor: null });
    expect(harness.catalog.lastRequest('catalog.events')).toEqual({
      v: 1,
      sessionId,
      fromMs: 1000,
      toMs: 5000,
      types: ['app.start', 'usb.insert'],
      limit: 50,
    });
    const metrics = await get(harness, `/api/v1/sessions/${sessionId}/metrics?from=0`, token);
    expect(metrics.status).toBe(200);
    expect(harness.catalog.lastRequest('catalog.metrics')).toEqual({
      v: 1,
      sessionId,
      fromMs: 0,
      limit: 1000,
    });
    const reversed = await errorOf(
      await get(harness, `/api/v1/sessions/${sessionId}/events?from=9&to=1`, token),
    );
    expect(reversed).toMatchObject({ status: 400 });
    expect(reversed.message.startsWith('query.from')).toBe(true);
    const badType = await errorOf(
      await get(harness, `/api/v1/sessions/${sessionId}/events?types=app.start,nope`, token),
    );
    expect(badType.message.startsWith('query.types')).toBe(true);
  });

  it('serves a live recording as an EVENT playlist that grows, with discontinuities at gaps', async () => {
    const bytes = Buffer.from('not really media');
    const detail: CatalogRecordingDetail = {
      recordingId,
      sessionId,
      agentId,
      kind: 'screen',
      startedAt: '2030-05-06T07:08:10.000Z',
      live: true,
      init: {
        key: `recordings/2030/05/06/${recordingId}/init.mp4`,
        size: 10,
        sha256: 'a'.repeat(64),
      },
      segments: [segment(1, bytes), segment(2, bytes)],
      gaps: [],
    };
    harness.catalog.recordings.set(recordingId, detail);
    const url = `/api/v1/recordings/${recordingId}/playlist.m3u8`;
    const first = (await (await get(harness, url, token)).text()).split('\n');
    expect(first).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
    expect(first).not.toContain('#EXT-X-ENDLIST');
    expect(first.filter((l) => l.startsWith('segments/'))).toEqual([
      'segments/1.m4s',
      'segments/2.m4s',
    ]);

    detail.segments.push(segment(3, bytes), segment(5, bytes));
    detail.gaps.push({ fromSeq: 4, toSeq: 4 });
    const grown = (await (await get(harness, url, token)).text()).split('\n');
    expect(grown.filter((l) => l.startsWith('segments/'))).toEqual([
      'segments/1.m4s',
      'segments/2.m4s',
      'segments/3.m4s',
      'segments/5.m4s',
    ]);
    expect(grown.indexOf('#EXT-X-DISCONTINUITY')).toBe(grown.indexOf('segments/5.m4s') - 2);
    expect(grown).toContain('#EXTINF:4.000,');

    detail.live = false;
    const stopped = (await (await get(harness, url, token)).text()).split('\n');
    expect(stopped).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(stopped).toContain('#EXT-X-ENDLIST');
  });

  it('pages through the catalogue for long recordings', async () => {
    const id = randomUUID();
    const bytes = Buffer.from('x');
    const segments = Array.from({ length: 2500 }, (_, i) => ({
      ...segment(i + 1, bytes),
      key: `recordings/2030/05/06/${id}/${String(i + 1).padStart(10, '0')}.m4s`,
    }));
    harness.catalog.recordings.set(id, {
      recordingId: id,
      sessionId,
      agentId,
      kind: 'screen',
      startedAt: '2030-05-06T07:08:10.000Z',
      live: false,
      init: { key: `recordings/2030/05/06/${id}/init.mp4`, size: 1, sha256: 'b'.repeat(64) },
      segments,
      gaps: [],
    });
    const text = await (await get(harness, `/api/v1/recordings/${id}/playlist.m3u8`, token)).text();
    expect(text.split('\n').filter((l) => l.startsWith('segments/'))).toHaveLength(2500);
  });

  it('answers 404 for a recording the catalogue does not know', async () => {
    for (const path of [
      '',
      '/playlist.m3u8',
      '/init.mp4',
      '/segments/1',
      '/asciicast',
      '/export',
    ]) {
      const res = await get(harness, `/api/v1/recordings/${randomUUID()}${path}`, token);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
  });

  it('answers 503 with Retry-After when the indexer does not answer in time', async () => {
    harness.catalog.silent = true;
    try {
      const res = await get(harness, '/api/v1/sessions?user=alice', token);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect((await errorOf(res)).code).toBe('unavailable');
    } finally {
      harness.catalog.silent = false;
    }
  });
});
