/**
 * The response engine's state in PostgreSQL (schema `policy`, tables response_*): who
 * each session is, windowed hits, throttle marks, evaluated events and the outbox of
 * requests. Everything the engine decides for one event happens in one transaction, so a
 * crash either keeps all of it or none; memory holds nothing but the compiled rules.
 */
import { Injectable } from '@nestjs/common';
import type { ResponseRequested, SessionStarted } from '@sessionrec/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import type { SessionFacts } from './compiled-response-rules';
import type { Hit } from './response-decisions';

/** How long evaluated-event marks and published requests are kept: the EVENTS stream's age. */
export const PROCESSED_RETENTION_DAYS = 31;

@Injectable()
export class ResponseStateStore {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  async rememberSession(s: SessionStarted): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO response_sessions (session_id, agent_id, user_name, groups, host, started_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (session_id) DO NOTHING`,
      [s.sessionId, s.agentId, s.user, s.groups, s.host, s.startedAt],
    );
  }

  async sessionEnded(sessionId: string, endedAt: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE response_sessions SET ended_at = $2 WHERE session_id = $1`,
      [sessionId, endedAt],
    );
  }

  /**
   * Claims the event for evaluation — `first` is false when it was evaluated (or is being
   * evaluated) before — and reads its session when asked, in one round trip.
   */
  async claim(
    m: EntityManager,
    eventId: string,
    sessionId: string | undefined,
  ): Promise<{ first: boolean; session: SessionFacts | undefined }> {
    const rows: {
      first: boolean;
      user_name: string | null;
      groups: string[] | null;
      host: string | null;
    }[] = await m.query(
      `WITH claimed AS (
         INSERT INTO response_processed_events (event_id) VALUES ($1)
         ON CONFLICT (event_id) DO NOTHING RETURNING event_id
       )
       SELECT EXISTS (SELECT 1 FROM claimed) AS first, s.user_name, s.groups, s.host
         FROM (SELECT 1) AS one LEFT JOIN response_sessions s ON s.session_id = $2`,
      [eventId, sessionId ?? null],
    );
    const r = rows[0];
    const session =
      r && r.user_name !== null && r.groups !== null && r.host !== null
        ? { user: r.user_name, groups: r.groups, host: r.host }
        : undefined;
    return { first: r?.first ?? false, session };
  }

  /** Serialises decisions on one (rule, scope) until the transaction ends. */
  async lock(m: EntityManager, ruleId: string, scopeKey: string): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `response:${ruleId}:${scopeKey}`,
    ]);
  }

  /**
   * Records a hit, drops this key's hits that fell out of the window, and returns the
   * newest `limit` hits inside `(at - window, at]`, the new one included: one round trip
   * (the statement's snapshot does not see its own insert, hence the UNION).
   */
  async addHit(
    m: EntityManager,
    ruleId: string,
    scopeKey: string,
    hit: Hit,
    windowSeconds: number,
    limit: number,
  ): Promise<Hit[]> {
    const rows: { event_id: string; at: Date }[] = await m.query(
      `WITH added AS (
         INSERT INTO response_hits (rule_id, scope_key, event_id, at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING
       ), expired AS (
         DELETE FROM response_hits
          WHERE rule_id = $1 AND scope_key = $2
            AND at <= $4::timestamptz - make_interval(secs => $5)
       )
       SELECT event_id, at FROM (
         SELECT event_id, at FROM response_hits
          WHERE rule_id = $1 AND scope_key = $2
            AND at > $4::timestamptz - make_interval(secs => $5) AND at <= $4::timestamptz
         UNION
         SELECT $3::uuid, $4::timestamptz
       ) window_hits
       ORDER BY at DESC, event_id DESC LIMIT $6`,
      [ruleId, scopeKey, hit.eventId, hit.at, windowSeconds, limit],
    );
    return rows.map((r) => ({ eventId: r.event_id, at: r.at }));
  }

  /** A count was reached: the events that reached it start no other count. */
  async consumeHits(m: EntityManager, ruleId: string, scopeKey: string, eventIds: string[]) {
    await m.query(
      `DELETE FROM response_hits WHERE rule_id = $1 AND scope_key = $2 AND event_id = ANY($3::uuid[])`,
      [ruleId, scopeKey, eventIds],
    );
  }

  async lastRequest(
    m: EntityManager,
    ruleId: string,
    scopeKey: string,
    action: string,
  ): Promise<Date | undefined> {
    const rows: { last_at: Date }[] = await m.query(
      `SELECT last_at FROM response_throttle WHERE rule_id = $1 AND scope_key = $2 AND action = $3`,
      [ruleId, scopeKey, action],
    );
    return rows[0]?.last_at;
  }

  async markRequest(m: EntityManager, ruleId: string, scopeKey: string, action: string, at: Date) {
    await m.query(
      `INSERT INTO response_throttle (rule_id, scope_key, action, last_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (rule_id, scope_key, action)
       DO UPDATE SET last_at = greatest(response_throttle.last_at, excluded.last_at)`,
      [ruleId, scopeKey, action, at],
    );
  }

  /** `position`: the request's place among those decided for this event. */
  async enqueue(
    m: EntityManager,
    eventId: string,
    position: number,
    request: ResponseRequested,
  ): Promise<void> {
    await m.query(
      `INSERT INTO response_requests (response_id, event_id, rule_id, position, payload)
       VALUES ($1, $2, $3, $4, $5::jsonb) ON CONFLICT (response_id) DO NOTHING`,
      [request.responseId, eventId, request.ruleId, position, JSON.stringify(request)],
    );
  }

  /** Requests decided for this event and not yet confirmed by JetStream, in decision order. */
  async unpublished(eventId: string): Promise<ResponseRequested[]> {
    const rows: { payload: ResponseRequested }[] = await this.dataSource.query(
      `SELECT payload FROM response_requests WHERE event_id = $1 AND published_at IS NULL
        ORDER BY position`,
      [eventId],
    );
    return rows.map((r) => r.payload);
  }

  async markPublished(responseId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE response_requests SET published_at = now() WHERE response_id = $1`,
      [responseId],
    );
  }

  /** Drops state no decision can need again; returns the rows removed. */
  async sweep(maxWindowSeconds: number): Promise<number> {
    const statements: [string, unknown[]][] = [
      [
        `DELETE FROM response_hits WHERE at < now() - make_interval(secs => $1)`,
        [maxWindowSeconds + 86_400],
      ],
      [
        `DELETE FROM response_throttle WHERE last_at < now() - make_interval(secs => $1)`,
        [maxWindowSeconds + 86_400],
      ],
      [
        `DELETE FROM response_processed_events WHERE processed_at < now() - make_interval(days => $1)`,
        [PROCESSED_RETENTION_DAYS],
      ],
      [
        `DELETE FROM response_requests
          WHERE published_at IS NOT NULL AND created_at < now() - make_interval(days => $1)`,
        [PROCESSED_RETENTION_DAYS],
      ],
      [
        `DELETE FROM response_sessions
          WHERE ended_at < now() - interval '1 day'
             OR started_at < now() - make_interval(days => $1)`,
        [PROCESSED_RETENTION_DAYS * 3],
      ],
    ];
    let removed = 0;
    for (const [sql, params] of statements) {
      const result: [unknown, number] = await this.dataSource.query(sql, params);
      removed += result[1];
    }
    return removed;
  }
}
