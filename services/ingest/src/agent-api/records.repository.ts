/**
 * SQL for what agents report: sessions, recordings, segments and gaps in the ingest
 * schema. Every row is written after its announcement was acknowledged (a row means
 * "announced"). The lookups and writes agents cause by the thousand (session and
 * recording lookups, starts, ends, segment rows) are coalesced: the requests made while
 * earlier statements run share the next statement (coalescer.ts).
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Queryable, selectRows } from '../sql';
import { BoundedMap, type RecordingIdentity, type SessionIdentity } from './identity-cache';
import { Coalescer, createdByFirstAsker } from './coalescer';

const IDENTITY_CACHE_ENTRIES = 100_000;

/** PostgreSQL answers uuids in lower case, whatever case the agent sent. */
const idKey = (id: string): string => id.toLowerCase();
const segmentKeyOf = (recordingId: string, seq: number): string => `${idKey(recordingId)}:${seq}`;

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
  /** Recordings this process created: they had no segments then (segments reference them). */
  private readonly createdHere = new BoundedMap<string, true>(IDENTITY_CACHE_ENTRIES);

  private readonly sessionLookups = new Coalescer<string, SessionRow | undefined>((ids) =>
    this.byId<SessionRow>('SELECT * FROM sessions WHERE id = ANY($1::uuid[])', ids),
  );
  private readonly recordingLookups = new Coalescer<string, RecordingRow | undefined>((ids) =>
    this.byId<RecordingRow>(
      'SELECT id, session_id, agent_id, kind, started_at, stopped_at FROM recordings WHERE id = ANY($1::uuid[])',
      ids,
    ),
  );
  private readonly sessionInserts = new Coalescer<NewSession, SessionIdentity | undefined>(
    (rows) => this.insertSessionRows(rows),
    // 8 parameters a row
    1000,
  );
  private readonly recordingInserts = new Coalescer<NewRecording, RecordingIdentity | undefined>(
    (rows) => this.insertRecordingRows(rows),
    // 9 parameters a row
    1000,
  );
  private readonly sessionEnds = this.updateOnce<SessionEnd>(
    `UPDATE sessions s SET ended_at = v.ended_at, end_reason = v.reason
     FROM unnest($1::uuid[], $2::timestamptz[], $3::text[]) AS v (id, ended_at, reason)
     WHERE s.id = v.id AND s.ended_at IS NULL RETURNING s.id`,
    (ends) => [ends.map((e) => e.id), ends.map((e) => e.endedAt), ends.map((e) => e.reason)],
  );
  private readonly recordingStops = this.updateOnce<RecordingStop>(
    `UPDATE recordings r SET stopped_at = v.at, stop_reason = v.reason, stop_actor = v.actor
     FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[]) AS v (id, at, reason, actor)
     WHERE r.id = v.id AND r.stopped_at IS NULL RETURNING r.id`,
    (stops) => [
      stops.map((x) => x.id),
      stops.map((x) => x.at),
      stops.map((x) => x.reason),
      stops.map((x) => x.actor ?? null),
    ],
  );
  private readonly segmentInserts = new Coalescer<NewSegment, boolean>(
    (rows) =>
      createdByFirstAsker(
        rows,
        (row) => segmentKeyOf(row.recordingId, row.seq),
        (unique) => this.insertSegmentRows(unique),
      ),
    // 9 parameters a row
    500,
  );

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
    if (row) this.rememberRecording(id, row);
    return row;
  }

  /**
   * true when this process created the recording. Its first segment then needs no look at
   * the segments table; another instance's later uploads are still refused or deduplicated
   * by the store's conditional create, as for any segment checked against memory.
   */
  recordingCreatedHere(id: string): boolean {
    return this.createdHere.get(id) === true;
  }

  findSession(id: string): Promise<SessionRow | undefined> {
    return this.sessionLookups.submit(id);
  }

  /**
   * false when the id already exists (whoever owns it). A created session's owner is
   * remembered, so the recording start and batches that follow ask the database nothing.
   */
  async insertSession(s: NewSession): Promise<boolean> {
    const created = await this.sessionInserts.submit(s);
    if (created) this.sessions.set(s.id, created);
    return created !== undefined;
  }

  /** false when the session had ended already. */
  endSession(id: string, endedAt: string, reason: string): Promise<boolean> {
    return this.sessionEnds.submit({ id, endedAt, reason });
  }

  findRecording(id: string): Promise<RecordingRow | undefined> {
    return this.recordingLookups.submit(id);
  }

  /**
   * false when the id already exists. A created recording's identity is remembered as
   * PostgreSQL stored it (its start time decides the object keys), for the segments that
   * follow.
   */
  async insertRecording(r: NewRecording): Promise<boolean> {
    const created = await this.recordingInserts.submit(r);
    if (!created) return false;
    this.rememberRecording(r.id, created);
    this.createdHere.set(r.id, true);
    return true;
  }

  /** false when the recording had stopped already. */
  stopRecording(
    id: string,
    at: string,
    reason: string,
    actor: string | undefined,
  ): Promise<boolean> {
    return this.recordingStops.submit({ id, at, reason, actor });
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

  /** Writes a segment row; false when (recording, seq) was already there. */
  insertSegment(s: NewSegment): Promise<boolean> {
    return this.segmentInserts.submit(s);
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

  private rememberRecording(id: string, row: RecordingIdentity): void {
    this.recordings.set(id, {
      id: row.id,
      session_id: row.session_id,
      agent_id: row.agent_id,
      kind: row.kind,
      started_at: row.started_at,
    });
  }

  /** The row of each id (in the order asked), or undefined where there is none. */
  private async byId<T extends { id: string }>(
    sql: string,
    ids: readonly string[],
  ): Promise<(T | undefined)[]> {
    const rows = await selectRows<T>(this.dataSource, sql, [[...new Set(ids.map(idKey))]]);
    const found = new Map(rows.map((row) => [idKey(row.id), row]));
    return ids.map((id) => found.get(idKey(id)));
  }

  /**
   * A coalesced `UPDATE … FROM unnest(…) … RETURNING id` that changes a row only once (its
   * WHERE skips rows already changed): true for the first asker of each id it changed.
   */
  private updateOnce<T extends { id: string }>(
    sql: string,
    columns: (unique: readonly T[]) => unknown[],
  ): Coalescer<T, boolean> {
    return new Coalescer<T, boolean>((inputs) =>
      createdByFirstAsker(
        inputs,
        (input) => idKey(input.id),
        async (unique) => {
          const rows = await selectRows<{ id: string }>(this.dataSource, sql, columns(unique));
          return new Set(rows.map((row) => idKey(row.id)));
        },
      ),
    );
  }

  /** One multi-row INSERT; each input's identity if it created the row. */
  private async insertSessionRows(
    sessions: readonly NewSession[],
  ): Promise<(SessionIdentity | undefined)[]> {
    return this.insertReturning<NewSession, SessionIdentity>(
      sessions,
      (s) => s.id,
      'sessions (id, agent_id, user_name, host, protocol, client_address, groups, started_at)',
      (s) => [
        s.id,
        s.agentId,
        s.user,
        s.host,
        s.protocol,
        s.clientAddress ?? null,
        JSON.stringify(s.groups),
        s.startedAt,
      ],
      'ON CONFLICT (id) DO NOTHING RETURNING id, agent_id',
    );
  }

  private async insertRecordingRows(
    recordings: readonly NewRecording[],
  ): Promise<(RecordingIdentity | undefined)[]> {
    return this.insertReturning<NewRecording, RecordingIdentity>(
      recordings,
      (r) => r.id,
      'recordings (id, session_id, agent_id, kind, started_at, start_reason, rule_id, policy_version, actor)',
      (r) => [
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
      'ON CONFLICT (id) DO NOTHING RETURNING id, session_id, agent_id, kind, started_at',
    );
  }

  /** The keys (recording:seq) of the segment rows one multi-row INSERT created. */
  private async insertSegmentRows(segments: readonly NewSegment[]): Promise<Set<string>> {
    const { sql, params } = multiRowInsert(
      'segments (recording_id, seq, kind, sha256, prev_sha256, size, key, start_ms, end_ms)',
      segments.map((s) => [
        s.recordingId,
        s.seq,
        s.kind,
        s.sha256,
        s.prevSha256 ?? null,
        s.size,
        s.key,
        s.startMs,
        s.endMs,
      ]),
      'ON CONFLICT (recording_id, seq) DO NOTHING RETURNING recording_id, seq',
    );
    const created = await selectRows<{ recording_id: string; seq: number }>(
      this.dataSource,
      sql,
      params,
    );
    return new Set(created.map((row) => segmentKeyOf(row.recording_id, row.seq)));
  }

  /**
   * A multi-row INSERT of rows keyed by id: the returned row for each input that created
   * one (the first asker of an id asked twice), undefined for the others.
   */
  private async insertReturning<I, R extends { id: string }>(
    inputs: readonly I[],
    idOf: (input: I) => string,
    into: string,
    values: (input: I) => unknown[],
    tail: string,
  ): Promise<(R | undefined)[]> {
    const returned = new Map<string, R>();
    const createdBy = await createdByFirstAsker(
      inputs,
      (input) => idKey(idOf(input)),
      async (unique) => {
        const { sql, params } = multiRowInsert(into, unique.map(values), tail);
        const rows = await selectRows<R>(this.dataSource, sql, params);
        for (const row of rows) returned.set(idKey(row.id), row);
        return new Set(returned.keys());
      },
    );
    return inputs.map((input, i) => (createdBy[i] ? returned.get(idKey(idOf(input))) : undefined));
  }
}

interface SessionEnd {
  id: string;
  endedAt: string;
  reason: string;
}

interface RecordingStop {
  id: string;
  at: string;
  reason: string;
  actor: string | undefined;
}

/** `INSERT INTO <into> VALUES ($1, …), (…) <tail>` with its parameters. */
function multiRowInsert(
  into: string,
  rows: readonly unknown[][],
  tail: string,
): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const tuples = rows.map((row) => {
    const placeholders = row.map((value) => {
      params.push(value);
      return `$${params.length}`;
    });
    return `(${placeholders.join(', ')})`;
  });
  return { sql: `INSERT INTO ${into} VALUES ${tuples.join(', ')} ${tail}`, params };
}
