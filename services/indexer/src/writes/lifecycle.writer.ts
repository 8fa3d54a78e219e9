/**
 * Session and recording lifecycle: upserts keyed by their ids, so redelivery changes
 * nothing and any order works (ended before started, stopped before started): whichever
 * arrives first creates the row, the others fill in their own columns.
 */
import { Injectable } from '@nestjs/common';
import type {
  RecordingStarted,
  RecordingStopped,
  SessionEnded,
  SessionStarted,
} from '@sessionrec/contracts';
import { DataSource } from 'typeorm';
import { recordActivity } from './activity';
import { clean } from './event-row';

export const HOST_SILENT = 'host-silent';

@Injectable()
export class LifecycleWriter {
  constructor(private readonly dataSource: DataSource) {}

  async sessionStarted(s: SessionStarted): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.query(
        `INSERT INTO sessions AS s (session_id, agent_id, user_name, groups, host, client_address,
                                    protocol, started_at, start_seen, last_activity_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true, now())
         ON CONFLICT (session_id) DO UPDATE SET
           agent_id = excluded.agent_id, user_name = excluded.user_name, groups = excluded.groups,
           host = excluded.host, client_address = excluded.client_address,
           protocol = excluded.protocol, started_at = excluded.started_at, start_seen = true,
           last_activity_at = greatest(s.last_activity_at, now())`,
        [
          s.sessionId,
          s.agentId,
          clean(s.user),
          s.groups.map(clean),
          clean(s.host),
          s.clientAddress ?? null,
          s.protocol,
          s.startedAt,
        ],
      );
      await m.query(
        `INSERT INTO agents AS a (agent_id, first_seen_at, last_seen_at) VALUES ($1, now(), now())
         ON CONFLICT (agent_id) DO UPDATE SET last_seen_at = now()`,
        [s.agentId],
      );
      await m.query(
        `INSERT INTO agent_hosts AS h (agent_id, host, first_seen_at, last_seen_at)
         VALUES ($1, $2, $3, $3)
         ON CONFLICT (agent_id, host) DO UPDATE SET
           first_seen_at = least(h.first_seen_at, excluded.first_seen_at),
           last_seen_at = greatest(h.last_seen_at, excluded.last_seen_at)`,
        [s.agentId, clean(s.host), s.startedAt],
      );
    });
  }

  /**
   * The first end wins, except that a real end replaces the indexer's own host-silent
   * guess (the host came back and said how the session ended).
   */
  async sessionEnded(e: SessionEnded): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO sessions AS s (session_id, agent_id, started_at, ended_at, end_reason)
       VALUES ($1, $2, $3, $3, $4)
       ON CONFLICT (session_id) DO UPDATE SET ended_at = excluded.ended_at,
                                              end_reason = excluded.end_reason
       WHERE s.ended_at IS NULL
          OR (s.end_reason = '${HOST_SILENT}' AND excluded.end_reason <> '${HOST_SILENT}')`,
      [e.sessionId, e.agentId, e.endedAt, clean(e.reason)],
    );
  }

  async recordingStarted(r: RecordingStarted): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await recordActivity(m, [r]);
      await m.query(
        `INSERT INTO recordings AS r (recording_id, session_id, agent_id, kind, started_at,
                                      start_reason, rule_id, policy_version, actor)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (recording_id) DO UPDATE SET
           kind = excluded.kind, started_at = excluded.started_at,
           start_reason = excluded.start_reason, rule_id = excluded.rule_id,
           policy_version = excluded.policy_version, actor = excluded.actor`,
        [
          r.recordingId,
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
    });
  }

  async recordingStopped(r: RecordingStopped): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await recordActivity(m, [r]);
      await m.query(
        `INSERT INTO recordings AS r (recording_id, session_id, agent_id, started_at, stopped_at,
                                      stop_reason, stop_actor)
         VALUES ($1, $2, $3, $4, $4, $5, $6)
         ON CONFLICT (recording_id) DO UPDATE SET
           stopped_at = excluded.stopped_at, stop_reason = excluded.stop_reason,
           stop_actor = excluded.stop_actor
         WHERE r.stopped_at IS NULL`,
        [r.recordingId, r.sessionId, r.agentId, r.at, r.reason, r.actor ?? null],
      );
    });
  }
}
