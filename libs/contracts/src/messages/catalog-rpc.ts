/**
 * Request/reply: the questions the api asks the indexer about the catalogue (search,
 * a session, its events, a recording's segments, its network samples). The api never
 * reads the catalogue's tables; these contracts are its only way in. Every reply is
 * paged so it stays well under NATS's 1 MiB payload limit.
 */
import { z } from 'zod';
import { EVENT_TYPE_NAMES } from '../event-types';
import {
  agentId,
  attributes,
  hostName,
  id,
  ipAddress,
  isoTime,
  recordingReason,
  sessionProtocol,
  sha256Hex,
  text,
  userName,
} from '../primitives';
import { viewingScope } from './viewing-policy';

/** An opaque page token handed back by the indexer (base64url). */
/**
 * Every catalogue question may carry the asker's viewing scope (docs/policies.md, viewing
 * policies): sessions outside it do not exist for that question. Absent: no restriction.
 */
const scope = viewingScope.optional();

export const catalogCursor = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,512}$/, 'must be a cursor returned by a previous page');

/** An IPv4/IPv6 address or CIDR range of the user's client. */
export const clientFilter = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]);

const eventType = z.enum(EVENT_TYPE_NAMES);
const offsetMs = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const seq = z.number().int().nonnegative().max(2_147_483_647);

function timeRangeOk(v: { from?: string; to?: string }): boolean {
  return v.from === undefined || v.to === undefined || Date.parse(v.from) <= Date.parse(v.to);
}

function msRangeOk(v: { fromMs?: number; toMs?: number }): boolean {
  return v.fromMs === undefined || v.toMs === undefined || v.fromMs <= v.toMs;
}

export const catalogSearchRequestV1 = z
  .strictObject({
    v: z.literal(1),
    scope,
    user: userName.optional(),
    group: text(256).optional(),
    host: hostName.optional(),
    client: clientFilter.optional(),
    /** Application (process) name, matched exactly, case-insensitively. */
    app: text(512).optional(),
    event: eventType.optional(),
    /** Free text over window titles, command lines, file names and event details. */
    q: text(200).optional(),
    /** Sessions active at some time in [from, to]. */
    from: isoTime.optional(),
    to: isoTime.optional(),
    /**
     * Only sessions in progress: not ended. A host that falls silent has its sessions ended
     * by the indexer after INDEXER_SILENT_AFTER_MS, so these are the live ones.
     */
    open: z.boolean().optional(),
    cursor: catalogCursor.optional(),
    limit: z.number().int().min(1).max(100).default(25),
  })
  .refine(timeRangeOk, { message: 'from must not be after to', path: ['from'] });
export type CatalogSearchRequest = z.infer<typeof catalogSearchRequestV1>;

export const catalogRecordingSummary = z.strictObject({
  recordingId: id,
  kind: z.enum(['screen', 'terminal']),
  startedAt: isoTime,
  stoppedAt: isoTime.optional(),
  /** Why it started; null while only its segments have been seen. */
  reason: recordingReason.nullable(),
  stopReason: recordingReason.optional(),
  /** The policy rule and version that decided it (reason policy or event). */
  ruleId: text(128).optional(),
  policyVersion: z.number().int().nonnegative().optional(),
  /** Who started or stopped it: an administrator's name, or `event:<type>` for a trigger. */
  startedBy: text(256).optional(),
  stoppedBy: text(256).optional(),
});
export type CatalogRecordingSummary = z.infer<typeof catalogRecordingSummary>;

export const catalogEventMatch = z.strictObject({
  eventId: id,
  type: eventType,
  at: isoTime,
  /** Session-relative: where the player jumps. */
  offsetMs,
  recordingId: id.optional(),
  /** The matched text (title, command line, file name), shortened. */
  snippet: z.string().max(512).optional(),
});
export type CatalogEventMatch = z.infer<typeof catalogEventMatch>;

/** Free text found in a terminal recording's output (not an event: it has no eventId). */
export const catalogTerminalMatch = z.strictObject({
  kind: z.literal('terminal-output'),
  recordingId: id,
  at: isoTime,
  /** Session-relative time of the output line that matched: where the player jumps. */
  offsetMs,
  /** The output line that matched, shortened. */
  snippet: z.string().max(512),
});
export type CatalogTerminalMatch = z.infer<typeof catalogTerminalMatch>;

/** An event that matched the event filters, or (free text only) a line of terminal output. */
export const catalogMatch = z.union([catalogEventMatch, catalogTerminalMatch]);
export type CatalogMatch = z.infer<typeof catalogMatch>;

const sessionFields = {
  sessionId: id,
  agentId,
  /** Null while the session is known only from its events or segments (started not seen yet). */
  user: userName.nullable(),
  groups: z.array(text(256)).max(256),
  host: hostName.nullable(),
  clientAddress: ipAddress.optional(),
  protocol: sessionProtocol.nullable(),
  /** session.started time; the earliest thing seen while it has not arrived. */
  startedAt: isoTime,
  endedAt: isoTime.optional(),
  endReason: text(64).optional(),
  /** When anything of the session (event, segment, metric) last reached the catalogue. */
  lastActivityAt: isoTime.optional(),
  recordings: z.array(catalogRecordingSummary).max(200),
};

export const catalogSearchResult = z.strictObject({
  ...sessionFields,
  matches: z.array(catalogMatch).max(20),
});
export type CatalogSearchResult = z.infer<typeof catalogSearchResult>;

export const facetCount = z.strictObject({
  value: z.string().max(512),
  count: z.number().int().nonnegative(),
});
export type FacetCount = z.infer<typeof facetCount>;

export const catalogSearchReplyV1 = z.strictObject({
  v: z.literal(1),
  sessions: z.array(catalogSearchResult).max(100),
  nextCursor: catalogCursor.optional(),
  /**
   * Top 20 values each: how many sessions of the result set (not just this page) have the
   * value. Exact up to 2000 matching sessions; beyond that counted over the newest 2000.
   */
  facets: z.strictObject({
    users: z.array(facetCount).max(20),
    hosts: z.array(facetCount).max(20),
    apps: z.array(facetCount).max(20),
    eventTypes: z.array(facetCount).max(20),
  }),
  /**
   * Present when the facets count only this page's sessions: counting the result set took
   * longer than the indexer's budget (a broad search on a large catalogue).
   */
  facetsPartial: z.literal(true).optional(),
});
export type CatalogSearchReply = z.infer<typeof catalogSearchReplyV1>;

export const catalogSessionRequestV1 = z.strictObject({ v: z.literal(1), scope, sessionId: id });
export type CatalogSessionRequest = z.infer<typeof catalogSessionRequestV1>;

export const catalogSessionDetail = z.strictObject({
  ...sessionFields,
  counts: z.strictObject({
    events: z.number().int().nonnegative(),
    segments: z.number().int().nonnegative(),
    bytes: z.number().int().nonnegative(),
  }),
});
export type CatalogSessionDetail = z.infer<typeof catalogSessionDetail>;

export const catalogSessionReplyV1 = z.strictObject({
  v: z.literal(1),
  session: catalogSessionDetail.nullable(),
});
export type CatalogSessionReply = z.infer<typeof catalogSessionReplyV1>;

export const catalogEventsRequestV1 = z
  .strictObject({
    v: z.literal(1),
    scope,
    sessionId: id,
    fromMs: offsetMs.optional(),
    toMs: offsetMs.optional(),
    types: z.array(eventType).min(1).max(EVENT_TYPE_NAMES.length).optional(),
    cursor: catalogCursor.optional(),
    limit: z.number().int().min(1).max(1000).default(500),
  })
  .refine(msRangeOk, { message: 'fromMs must not be after toMs', path: ['fromMs'] });
export type CatalogEventsRequest = z.infer<typeof catalogEventsRequestV1>;

export const catalogEvent = z.strictObject({
  eventId: id,
  type: eventType,
  at: isoTime,
  offsetMs,
  recordingId: id.optional(),
  attributes,
});
export type CatalogEvent = z.infer<typeof catalogEvent>;

export const catalogEventsReplyV1 = z.strictObject({
  v: z.literal(1),
  /** Ordered by (offsetMs, eventId). */
  events: z.array(catalogEvent).max(1000),
  nextCursor: catalogCursor.optional(),
});
export type CatalogEventsReply = z.infer<typeof catalogEventsReplyV1>;

export const catalogRecordingRequestV1 = z
  .strictObject({
    v: z.literal(1),
    scope,
    recordingId: id,
    /** Only segments overlapping [fromMs, toMs] (session-relative). */
    fromMs: offsetMs.optional(),
    toMs: offsetMs.optional(),
    /** Continue after this sequence number (the previous page's nextAfterSeq). */
    afterSeq: seq.optional(),
    limit: z.number().int().min(1).max(2000).default(1000),
  })
  .refine(msRangeOk, { message: 'fromMs must not be after toMs', path: ['fromMs'] });
export type CatalogRecordingRequest = z.infer<typeof catalogRecordingRequestV1>;

const objectRef = { key: text(512), size: z.number().int().nonnegative(), sha256: sha256Hex };

export const catalogSegment = z.strictObject({
  seq,
  kind: z.enum(['media', 'cast']),
  ...objectRef,
  prevSha256: sha256Hex.optional(),
  startMs: offsetMs,
  endMs: offsetMs,
});
export type CatalogSegment = z.infer<typeof catalogSegment>;

export const catalogRecordingDetail = z.strictObject({
  recordingId: id,
  sessionId: id,
  agentId,
  kind: z.enum(['screen', 'terminal']),
  startedAt: isoTime,
  stoppedAt: isoTime.optional(),
  /** Not stopped and its session not ended: the playlist keeps growing. */
  live: z.boolean(),
  /** The init segment of a screen recording, once stored. */
  init: z.strictObject(objectRef).optional(),
  segments: z.array(catalogSegment).max(2000),
  /** Sequences reported missing; ranges inclusive. */
  gaps: z.array(z.strictObject({ fromSeq: seq, toSeq: seq })).max(2000),
  /** Present when more segments follow: pass it as afterSeq. */
  nextAfterSeq: seq.optional(),
});
export type CatalogRecordingDetail = z.infer<typeof catalogRecordingDetail>;

export const catalogRecordingReplyV1 = z.strictObject({
  v: z.literal(1),
  recording: catalogRecordingDetail.nullable(),
});
export type CatalogRecordingReply = z.infer<typeof catalogRecordingReplyV1>;

export const catalogMetricsRequestV1 = z
  .strictObject({
    v: z.literal(1),
    scope,
    sessionId: id,
    fromMs: offsetMs.optional(),
    toMs: offsetMs.optional(),
    cursor: catalogCursor.optional(),
    limit: z.number().int().min(1).max(5000).default(1000),
  })
  .refine(msRangeOk, { message: 'fromMs must not be after toMs', path: ['fromMs'] });
export type CatalogMetricsRequest = z.infer<typeof catalogMetricsRequestV1>;

export const catalogMetricSample = z.strictObject({
  at: isoTime,
  offsetMs,
  rttMs: z.number().nonnegative(),
  jitterMs: z.number().nonnegative(),
  retransmits: z.number().int().nonnegative(),
  throughputBps: z.number().nonnegative(),
});
export type CatalogMetricSample = z.infer<typeof catalogMetricSample>;

export const catalogMetricsReplyV1 = z.strictObject({
  v: z.literal(1),
  /** Ordered by offsetMs. */
  samples: z.array(catalogMetricSample).max(5000),
  nextCursor: catalogCursor.optional(),
});
export type CatalogMetricsReply = z.infer<typeof catalogMetricsReplyV1>;
