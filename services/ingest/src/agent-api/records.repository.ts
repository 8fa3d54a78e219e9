/**
 * SQL for what agents report: sessions, recordings, segments and gaps in the ingest
 * schema. Every row is written after its announcement was acknowledged (a row means
 * "announced"); segment rows of many uploads go in one statement.
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Queryable, selectRows } from '../sql';
import { BoundedMap, type RecordingIdentity, type SessionIdentity } from './identity-cache';
import { segmentRowKey, SegmentRowWriter } from './segment-rows';

const IDENTITY_CACHE_ENTRIES = 100_000;

export interface SessionRow {
  id: string;
  agent_id: string;
  user_name: string;
  host: string;
  protocol: 'desktop' | 'terminal';
  client_address: string | null;
  groups: string[];
  started_at: Date;
  ended_at: Date | null;
  end_reason: string | null;
}

export interface RecordingRow {
  id: string;
  session_id: string;
  agent_id: string;
  kind: 'screen' | 'terminal';
  started_at: Date;
  stopped_at: Date | null;
}

export interface SegmentRow {
  recording_id: string;
  seq: number;
  kind: 'init' | 'media' | 'cast';
  sha256: string;
  prev_sha256: string | null;
  size: number;
  key: string;
}

export interface NewSession {
  id: string;
  agentId: string;
  user: string;
  host: string;
  protocol: string;
  clientAddress: string | undefined;
  groups: string[];
  startedAt: string;
}

export interface NewRecording {
  id: string;
  sessionId: string;
  agentId: string;
  kind: string;
  at: string;
  reason: string;
  ruleId: string | undefined;
  policyVersion: number | undefined;
  actor: string | undefined;
}

export interface NewSegment {
  recordingId: string;
  seq: number;
  kind: string;
  sha256: string;
  prevSha256: string | undefined;
  size: number;
  key: string;
  startMs: number;
  endMs: number;
}

@Injectable()
export class RecordsRepository {
  private readonly sessions = new BoundedMap<string, SessionIdentity>(IDENTITY_CACHE_ENTRIES);
  private readonly recordings = new BoundedMap<string, RecordingIdentity>(IDENTITY_CACHE_ENTRIES);
  private readonly segmentRows = new SegmentRowWriter((rows) => this.insertSegmentRows(rows));

  constructor(private readonly dataSource: DataSource) {}

  /** Owner of a session, from memory when it was seen before (it never changes). */
  async sessionIdentity(id: string): Promise<SessionIdentity | undefined> {
    const cached = this.sessions.get(id);
    if (cached) return cached;
    const row = await this.findSession(id);
    if (row) this.sessions.set(id, { id: row.id, agent_id: row.agent_id });
    return row;
  }

  /** Owner, kind and start of a recording, from memory when seen before (they never change). */
  async recordingIdentity(id: string): Promise<RecordingIdentity | undefined> {
    const cached = this.recordings.get(id);
    if (cached) return cached;
    const row = await this.findRecording(id);
    if (row) {
      this.recordings.set(id, {
        id: row.id,
        session_id: row.session_id,
        agent_id: row.agent_id,
        kind: row.kind,
        started_at: row.started_at,
      });
    }
    return row;
  }

  async findSession(id: string): Promise<SessionRow | undefined> {
    const rows = await selectRows<SessionRow>(
      this.dataSource,
      'SELECT * FROM sessions WHERE id = $1',
      [id],
    );
    return rows[0];
  }

  /** false when the id already exists (whoever owns it). */
  async insertSession(s: NewSession): Promise<boolean> {
    const rows = await selectRows<{ id: string }>(
      this.dataSource,
      `INSERT INTO sessions (id, agent_id, user_name, host, protocol, client_address, groups, started_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        s.id,
        s.agentId,
        s.user,
        s.host,
        s.protocol,
        s.clientAddress ?? null,
        JSON.stringify(s.groups),
        s.startedAt,
      ],
    );
    return rows.length === 1;
  }

  /** false when the session had ended already. */
  async endSession(id: string, endedAt: string, reason: string): Promise<boolean> {
    const rows = await selectRows<{ id: string }>(
      this.dataSource,
      'UPDATE sessions SET ended_at = $2, end_reason = $3 WHERE id = $1 AND ended_at IS NULL RETURNING id',
      [id, endedAt, reason],
    );
    return rows.length === 1;
  }

  async findRecording(id: string): Promise<RecordingRow | undefined> {
    const rows = await selectRows<RecordingRow>(
      this.dataSource,
      'SELECT id, session_id, agent_id, kind, started_at, stopped_at FROM recordings WHERE id = $1',
      [id],
    );
    return rows[0];
  }

  async insertRecording(r: NewRecording): Promise<boolean> {
    const rows = await selectRows<{ id: string }>(
      this.dataSource,
      `INSERT INTO recordings (id, session_id, agent_id, kind, started_at, start_reason, rule_id, policy_version, actor)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        r.id,
        r.sessionId,
        r.agentId,
        r.kind,
        r.at,
        r.reason,
        r.ruleId ?? null,
        r.policyVersion ?? null,
        r.actor ?? null,
      ],
    );
    return rows.length === 1;
  }

  /** false when the recording had stopped already. */
  async stopRecording(
    id: string,
    at: string,
    reason: string,
    actor: string | undefined,
  ): Promise<boolean> {
    const rows = await selectRows<{ id: string }>(
      this.dataSource,
      'UPDATE recordings SET stopped_at = $2, stop_reason = $3, stop_actor = $4 WHERE id = $1 AND stopped_at IS NULL RETURNING id',
      [id, at, reason, actor ?? null],
    );
    return rows.length === 1;
  }

  /** The stored segments at these sequence numbers (the one asked for and its neighbours). */
  async findSegments(
    recordingId: string,
    seqs: number[],
    db: Queryable = this.dataSource,
  ): Promise<Map<number, SegmentRow>> {
    const rows = await selectRows<SegmentRow>(
      db,
      'SELECT recording_id, seq, kind, sha256, prev_sha256, size, key FROM segments WHERE recording_id = $1 AND seq = ANY($2::int[])',
      [recordingId, seqs],
    );
    return new Map(rows.map((row) => [row.seq, row]));
  }

  /** Highest stored sequence other than `seq`, or undefined when none is stored. */
  async highestSeqOtherThan(
    recordingId: string,
    seq: number,
    db: Queryable = this.dataSource,
  ): Promise<number | undefined> {
    const rows = await selectRows<{ seq: number | null }>(
      db,
      'SELECT max(seq) AS seq FROM segments WHERE recording_id = $1 AND seq <> $2',
      [recordingId, seq],
    );
    const value = rows[0]?.seq;
    return value === null || value === undefined ? undefined : Number(value);
  }

  /**
   * Writes a segment row, batched with the rows other uploads write at the same time
   * (segment-rows.ts); false when (recording, seq) was already there.
   */
  insertSegment(s: NewSegment): Promise<boolean> {
    return this.segmentRows.insert(s);
  }

  /** One multi-row INSERT; the keys of the rows it created. */
  private async insertSegmentRows(rows: readonly NewSegment[]): Promise<Set<string>> {
    const params: unknown[] = [];
    const tuples = rows.map((s) => {
      const at = params.length;
      params.push(
        s.recordingId,
        s.seq,
        s.kind,
        s.sha256,
        s.prevSha256 ?? null,
        s.size,
        s.key,
        s.startMs,
        s.endMs,
      );
      return `($${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}, $${at + 5}, $${at + 6}, $${at + 7}, $${at + 8}, $${at + 9})`;
    });
    const created = await selectRows<{ recording_id: string; seq: number }>(
      this.dataSource,
      `INSERT INTO segments (recording_id, seq, kind, sha256, prev_sha256, size, key, start_ms, end_ms)
       VALUES ${tuples.join(', ')} ON CONFLICT (recording_id, seq) DO NOTHING RETURNING recording_id, seq`,
      params,
    );
    return new Set(created.map((row) => segmentRowKey(row.recording_id, row.seq)));
  }

  async insertGap(
    db: Queryable | undefined,
    recordingId: string,
    fromSeq: number,
    toSeq: number,
  ): Promise<void> {
    await (db ?? this.dataSource).query(
      `INSERT INTO segment_gaps (recording_id, from_seq, to_seq) VALUES ($1, $2, $3)
       ON CONFLICT (recording_id, from_seq) DO NOTHING`,
      [recordingId, fromSeq, toSeq],
    );
  }
}
