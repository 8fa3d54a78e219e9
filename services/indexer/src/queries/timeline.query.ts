/**
 * Answers the player's questions: one session with counts, a page of its events (the
 * timeline track), a page of a recording's segments for a time range with its gaps and
 * whether it is still live, and a page of network samples. Pages stop early when the
 * reply would approach NATS's payload limit.
 */
import { Injectable } from '@nestjs/common';
import type {
  CatalogEvent,
  CatalogEventsReply,
  CatalogEventsRequest,
  CatalogMetricsReply,
  CatalogMetricsRequest,
  CatalogRecordingReply,
  CatalogRecordingRequest,
  CatalogSegment,
  CatalogSessionReply,
  CatalogSessionRequest,
} from '@sessionrec/contracts';
import { DataSource } from 'typeorm';
import { decodeOffsetCursor, encodeCursor } from './cursor';
import { recordingsOf, SESSION_COLUMNS, type SessionRow, toSessionFields } from './session-rows';
import { iso, num, Params, REPLY_BUDGET_BYTES } from './sql';
import { viewingCondition } from './viewing-scope';

interface EventRow {
  event_id: string;
  type: CatalogEvent['type'];
  at: Date;
  offset_ms: string;
  recording_id: string | null;
  details: CatalogEvent['attributes'];
}

interface RecordingRow {
  recording_id: string;
  session_id: string;
  agent_id: string;
  kind: 'screen' | 'terminal' | null;
  started_at: Date;
  stopped_at: Date | null;
  session_ended: boolean;
}

interface SegmentRow {
  seq: number;
  kind: 'init' | 'media' | 'cast';
  key: string;
  size: string;
  sha256: string;
  prev_sha256: string | null;
  start_ms: string;
  end_ms: string;
}

interface MetricRow {
  sample_id: string;
  at: Date;
  offset_ms: string;
  rtt_ms: number;
  jitter_ms: number;
  retransmits: number;
  throughput_bps: number;
}

/** Adds items while the reply stays within budget; returns how many fit. */
function fitting<T>(items: readonly T[], limit: number): number {
  let bytes = 0;
  let n = 0;
  for (const item of items.slice(0, limit)) {
    bytes += JSON.stringify(item).length + 1;
    if (bytes > REPLY_BUDGET_BYTES && n > 0) break;
    n += 1;
  }
  return n;
}

@Injectable()
export class TimelineQuery {
  constructor(private readonly dataSource: DataSource) {}

  async session(r: CatalogSessionRequest): Promise<CatalogSessionReply> {
    const db = this.dataSource.manager;
    const p = new Params();
    p.add(r.sessionId);
    const rows = await db.query<
      (SessionRow & { events: string; segments: string; bytes: string })[]
    >(
      `SELECT ${SESSION_COLUMNS},
              (SELECT count(*) FROM events e WHERE e.session_id = s.session_id) AS events,
              (SELECT count(*) FROM segments g WHERE g.session_id = s.session_id) AS segments,
              (SELECT coalesce(sum(size), 0) FROM segments g WHERE g.session_id = s.session_id) AS bytes
         FROM sessions s WHERE s.session_id = $1 AND ${viewingCondition(r.scope, p) ?? 'true'}`,
      p.values,
    );
    const row = rows[0];
    if (!row) return { v: 1, session: null };
    const recordings = await recordingsOf(db, [row.session_id]);
    return {
      v: 1,
      session: {
        ...toSessionFields(row, recordings.get(row.session_id)),
        counts: { events: num(row.events), segments: num(row.segments), bytes: num(row.bytes) },
      },
    };
  }

  /** Whether the session exists for an asker with this scope (always, without one). */
  private async visible(
    sessionId: string,
    scope: CatalogSessionRequest['scope'],
  ): Promise<boolean> {
    const p = new Params();
    const condition = viewingCondition(scope, p);
    if (!condition) return true;
    const rows = await this.dataSource.query<unknown[]>(
      `SELECT 1 FROM sessions s WHERE s.session_id = ${p.add(sessionId)} AND ${condition}`,
      p.values,
    );
    return rows.length > 0;
  }

  async events(r: CatalogEventsRequest): Promise<CatalogEventsReply> {
    if (!(await this.visible(r.sessionId, r.scope))) return { v: 1, events: [] };
    const p = new Params();
    const where = [`session_id = ${p.add(r.sessionId)}`];
    if (r.fromMs !== undefined) where.push(`offset_ms >= ${p.add(r.fromMs)}`);
    if (r.toMs !== undefined) where.push(`offset_ms <= ${p.add(r.toMs)}`);
    if (r.types !== undefined) where.push(`type = ANY(${p.add(r.types)}::text[])`);
    if (r.cursor !== undefined) {
      const [offset, id] = decodeOffsetCursor(r.cursor);
      where.push(`(offset_ms, event_id) > (${p.add(offset)}::bigint, ${p.add(id)}::uuid)`);
    }
    const rows = await this.dataSource.query<EventRow[]>(
      `SELECT event_id, type, at, offset_ms, recording_id, details FROM events
        WHERE ${where.join(' AND ')} ORDER BY offset_ms, event_id LIMIT ${p.add(r.limit + 1)}`,
      p.values,
    );
    const events: CatalogEvent[] = rows.map((e) => ({
      eventId: e.event_id,
      type: e.type,
      at: iso(e.at),
      offsetMs: num(e.offset_ms),
      ...(e.recording_id ? { recordingId: e.recording_id } : {}),
      attributes: e.details,
    }));
    const n = fitting(events, r.limit);
    const last = events[n - 1];
    return {
      v: 1,
      events: events.slice(0, n),
      ...(events.length > n && last
        ? { nextCursor: encodeCursor([last.offsetMs, last.eventId]) }
        : {}),
    };
  }

  async recording(r: CatalogRecordingRequest): Promise<CatalogRecordingReply> {
    const db = this.dataSource.manager;
    const scoped = new Params();
    scoped.add(r.recordingId);
    const recs = await db.query<RecordingRow[]>(
      `SELECT r.recording_id, r.session_id, r.agent_id, r.kind, r.started_at, r.stopped_at,
              coalesce(s.ended_at IS NOT NULL, false) AS session_ended
         FROM recordings r LEFT JOIN sessions s ON s.session_id = r.session_id
        WHERE r.recording_id = $1 AND ${viewingCondition(r.scope, scoped) ?? 'true'}`,
      scoped.values,
    );
    const rec = recs[0];
    if (!rec || rec.kind === null) return { v: 1, recording: null };
    const p = new Params();
    const where = [`recording_id = ${p.add(r.recordingId)}`, `kind <> 'init'`];
    if (r.afterSeq !== undefined) where.push(`seq > ${p.add(r.afterSeq)}`);
    // Half-open ranges: a segment that ends exactly where the range starts (or starts
    // where it ends) is not in it, so a clip of whole segments gets exactly those.
    if (r.fromMs !== undefined) where.push(`end_ms > ${p.add(r.fromMs)}`);
    if (r.toMs !== undefined) {
      const to = r.fromMs !== undefined ? Math.max(r.toMs, r.fromMs + 1) : r.toMs;
      where.push(`start_ms < ${p.add(to)}`);
    }
    const [segmentRows, initRows, gapRows] = await Promise.all([
      db.query<SegmentRow[]>(
        `SELECT seq, kind, key, size, sha256, prev_sha256, start_ms, end_ms FROM segments
          WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ${p.add(r.limit + 1)}`,
        p.values,
      ),
      db.query<{ key: string; size: string; sha256: string }[]>(
        `SELECT key, size, sha256 FROM segments WHERE recording_id = $1 AND kind = 'init'
          ORDER BY seq LIMIT 1`,
        [r.recordingId],
      ),
      // A gap stays listed only while some of its sequences are still missing.
      db.query<{ from_seq: number; to_seq: number }[]>(
        `SELECT g.from_seq, g.to_seq FROM segment_gaps g
          WHERE g.recording_id = $1
            AND (SELECT count(*) FROM segments x WHERE x.recording_id = g.recording_id
                   AND x.seq BETWEEN g.from_seq AND g.to_seq) < g.to_seq - g.from_seq + 1
          ORDER BY g.from_seq, g.to_seq LIMIT 2000`,
        [r.recordingId],
      ),
    ]);
    const segments: CatalogSegment[] = segmentRows.map((s) => ({
      seq: s.seq,
      kind: s.kind === 'cast' ? 'cast' : 'media',
      key: s.key,
      size: num(s.size),
      sha256: s.sha256,
      ...(s.prev_sha256 ? { prevSha256: s.prev_sha256 } : {}),
      startMs: num(s.start_ms),
      endMs: num(s.end_ms),
    }));
    const n = fitting(segments, r.limit);
    const last = segments[n - 1];
    const init = initRows[0];
    return {
      v: 1,
      recording: {
        recordingId: rec.recording_id,
        sessionId: rec.session_id,
        agentId: rec.agent_id,
        kind: rec.kind,
        startedAt: iso(rec.started_at),
        ...(rec.stopped_at ? { stoppedAt: iso(rec.stopped_at) } : {}),
        live: rec.stopped_at === null && !rec.session_ended,
        ...(init ? { init: { key: init.key, size: num(init.size), sha256: init.sha256 } } : {}),
        segments: segments.slice(0, n),
        gaps: gapRows.map((g) => ({ fromSeq: g.from_seq, toSeq: g.to_seq })),
        ...(segments.length > n && last ? { nextAfterSeq: last.seq } : {}),
      },
    };
  }

  async metrics(r: CatalogMetricsRequest): Promise<CatalogMetricsReply> {
    if (!(await this.visible(r.sessionId, r.scope))) return { v: 1, samples: [] };
    const p = new Params();
    const where = [`session_id = ${p.add(r.sessionId)}`];
    if (r.fromMs !== undefined) where.push(`offset_ms >= ${p.add(r.fromMs)}`);
    if (r.toMs !== undefined) where.push(`offset_ms <= ${p.add(r.toMs)}`);
    if (r.cursor !== undefined) {
      const [offset, id] = decodeOffsetCursor(r.cursor);
      where.push(`(offset_ms, sample_id) > (${p.add(offset)}::bigint, ${p.add(id)}::uuid)`);
    }
    const rows = await this.dataSource.query<MetricRow[]>(
      `SELECT sample_id, at, offset_ms, rtt_ms, jitter_ms, retransmits, throughput_bps
         FROM network_samples WHERE ${where.join(' AND ')}
        ORDER BY offset_ms, sample_id LIMIT ${p.add(r.limit + 1)}`,
      p.values,
    );
    const page = rows.slice(0, r.limit);
    const last = page[page.length - 1];
    return {
      v: 1,
      samples: page.map((m) => ({
        at: iso(m.at),
        offsetMs: num(m.offset_ms),
        rttMs: m.rtt_ms,
        jitterMs: m.jitter_ms,
        retransmits: m.retransmits,
        throughputBps: m.throughput_bps,
      })),
      ...(rows.length > r.limit && last
        ? { nextCursor: encodeCursor([num(last.offset_ms), last.sample_id]) }
        : {}),
    };
  }
}
