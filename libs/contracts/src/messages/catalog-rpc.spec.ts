import { randomUUID } from 'node:crypto';
import { REQUESTS } from '../registry';
import {
  catalogEventsRequestV1,
  catalogMetricsRequestV1,
  catalogRecordingReplyV1,
  catalogRecordingRequestV1,
  catalogSearchReplyV1,
  catalogSearchRequestV1,
  catalogSessionReplyV1,
} from './catalog-rpc';

const sessionId = randomUUID();
const recordingId = randomUUID();
const sha = 'a'.repeat(64);

describe('catalog.search request', () => {
  it('accepts every filter and applies the default limit', () => {
    const parsed = catalogSearchRequestV1.parse({
      v: 1,
      user: 'alice',
      group: 'finance',
      host: 'ws-01',
      client: '10.0.0.0/8',
      app: 'firefox',
      event: 'usb.insert',
      q: 'payroll',
      from: '2026-01-01T00:00:00Z',
      to: '2026-01-02T00:00:00Z',
      cursor: 'abc_-123',
    });
    expect(parsed.limit).toBe(25);
  });

  it.each([
    ['an IPv4 address', '192.168.1.10'],
    ['an IPv6 address', '2001:db8::1'],
    ['an IPv6 range', '2001:db8::/32'],
  ])('accepts %s as client', (_what, client) => {
    expect(catalogSearchRequestV1.safeParse({ v: 1, client }).success).toBe(true);
  });

  it.each([
    ['version 2', { v: 2 }],
    ['an unknown field', { v: 1, sql: 'drop table' }],
    ['a limit of 0', { v: 1, limit: 0 }],
    ['a limit over 100', { v: 1, limit: 101 }],
    ['a fractional limit', { v: 1, limit: 2.5 }],
    ['free text over 200 chars', { v: 1, q: 'x'.repeat(201) }],
    ['empty free text', { v: 1, q: '' }],
    ['a bad client', { v: 1, client: '10.0.0.1; drop' }],
    ['a bad prefix', { v: 1, client: '10.0.0.0/33' }],
    ['an unknown event type', { v: 1, event: 'rm -rf' }],
    ['a bad time', { v: 1, from: 'yesterday' }],
    ['a time without zone', { v: 1, from: '2026-01-01T00:00:00' }],
    ['from after to', { v: 1, from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }],
    ['a cursor with symbols', { v: 1, cursor: "x' or 1=1" }],
    ['a huge cursor', { v: 1, cursor: 'a'.repeat(513) }],
    ['a user over 256 chars', { v: 1, user: 'u'.repeat(257) }],
  ])('rejects %s', (_what, value) => {
    expect(catalogSearchRequestV1.safeParse(value).success).toBe(false);
  });
});

describe('catalog.search reply', () => {
  const result = {
    sessionId,
    agentId: randomUUID(),
    user: 'alice',
    groups: ['finance'],
    host: 'ws-01',
    protocol: 'desktop',
    startedAt: '2026-01-01T10:00:00Z',
    recordings: [
      { recordingId, kind: 'screen', startedAt: '2026-01-01T10:00:01Z', reason: 'policy' },
    ],
    matches: [
      {
        eventId: randomUUID(),
        type: 'app.focus',
        at: '2026-01-01T10:05:00Z',
        offsetMs: 300000,
        snippet: 'Payroll - Excel',
      },
    ],
  };
  const facets = { users: [], hosts: [], apps: [], eventTypes: [{ value: 'app.focus', count: 3 }] };

  it('accepts a page with placeholders (user and host not known yet)', () => {
    const placeholder = { ...result, user: null, host: null, protocol: null, groups: [] };
    expect(
      catalogSearchReplyV1.safeParse({ v: 1, sessions: [result, placeholder], facets }).success,
    ).toBe(true);
  });

  it('accepts terminal-output matches beside event matches, and only whole ones', () => {
    const terminal = {
      kind: 'terminal-output',
      recordingId,
      at: '2026-01-01T10:06:00Z',
      offsetMs: 360000,
      snippet: 'rsync -av /srv/payroll backup:',
    };
    const matches = [...result.matches, terminal];
    expect(
      catalogSearchReplyV1.safeParse({ v: 1, sessions: [{ ...result, matches }], facets }).success,
    ).toBe(true);
    for (const broken of [
      { ...terminal, snippet: undefined },
      { ...terminal, kind: 'screen-text' },
      { ...terminal, eventId: randomUUID() },
    ]) {
      expect(
        catalogSearchReplyV1.safeParse({
          v: 1,
          sessions: [{ ...result, matches: [broken] }],
          facets,
        }).success,
      ).toBe(false);
    }
  });

  it('bounds matches per session and facet lengths', () => {
    const many = Array.from({ length: 21 }, () => result.matches[0]);
    expect(
      catalogSearchReplyV1.safeParse({ v: 1, sessions: [{ ...result, matches: many }], facets })
        .success,
    ).toBe(false);
    const users = Array.from({ length: 21 }, (_, i) => ({ value: `u${i}`, count: 1 }));
    expect(
      catalogSearchReplyV1.safeParse({ v: 1, sessions: [], facets: { ...facets, users } }).success,
    ).toBe(false);
  });

  it('answers an unknown session with null', () => {
    expect(catalogSessionReplyV1.safeParse({ v: 1, session: null }).success).toBe(true);
  });
});

describe('catalog.events, catalog.recording and catalog.metrics requests', () => {
  it('bounds limits and ranges', () => {
    expect(catalogEventsRequestV1.parse({ v: 1, sessionId }).limit).toBe(500);
    expect(catalogEventsRequestV1.safeParse({ v: 1, sessionId, limit: 1001 }).success).toBe(false);
    expect(catalogEventsRequestV1.safeParse({ v: 1, sessionId, fromMs: 10, toMs: 5 }).success).toBe(
      false,
    );
    expect(catalogEventsRequestV1.safeParse({ v: 1, sessionId, types: [] }).success).toBe(false);
    expect(catalogEventsRequestV1.safeParse({ v: 1, sessionId, fromMs: -1 }).success).toBe(false);
    expect(catalogRecordingRequestV1.parse({ v: 1, recordingId }).limit).toBe(1000);
    expect(catalogRecordingRequestV1.safeParse({ v: 1, recordingId, limit: 2001 }).success).toBe(
      false,
    );
    expect(catalogRecordingRequestV1.safeParse({ v: 1, recordingId, afterSeq: 1.5 }).success).toBe(
      false,
    );
    expect(catalogMetricsRequestV1.safeParse({ v: 1, sessionId, limit: 5001 }).success).toBe(false);
    expect(catalogMetricsRequestV1.safeParse({ v: 1, sessionId: 'not-a-uuid' }).success).toBe(
      false,
    );
  });

  it('describes a live recording with its init segment, segments and gaps', () => {
    const reply = {
      v: 1,
      recording: {
        recordingId,
        sessionId,
        agentId: randomUUID(),
        kind: 'screen',
        startedAt: '2026-01-01T10:00:01Z',
        live: true,
        init: { key: 'recordings/2026/01/01/x/init.mp4', size: 800, sha256: sha },
        segments: [
          { seq: 1, kind: 'media', key: 'k1', size: 10, sha256: sha, startMs: 0, endMs: 4000 },
        ],
        gaps: [{ fromSeq: 2, toSeq: 3 }],
        nextAfterSeq: 1,
      },
    };
    expect(catalogRecordingReplyV1.safeParse(reply).success).toBe(true);
    const badHash = structuredClone(reply);
    badHash.recording.segments[0]!.sha256 = 'A'.repeat(64);
    expect(catalogRecordingReplyV1.safeParse(badHash).success).toBe(false);
  });

  it('registers each catalogue question under rpc.catalog.*', () => {
    for (const type of [
      'catalog.search',
      'catalog.session',
      'catalog.events',
      'catalog.recording',
      'catalog.metrics',
    ] as const) {
      expect(REQUESTS[type].subject).toBe(`rpc.${type}`);
    }
  });
});
