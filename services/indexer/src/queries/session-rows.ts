/**
 * The session columns every catalogue answer shares, and their recordings, mapped to the
 * contract's shapes (placeholders keep null user, host and protocol).
 */
import type { CatalogRecordingSummary, CatalogSearchResult } from '@sessionrec/contracts';
import type { EntityManager } from 'typeorm';
import { iso, isoOrUndefined } from './sql';

export const SESSION_COLUMNS = `s.session_id, s.agent_id, s.user_name, s.groups, s.host,
  host(s.client_address) AS client_address, s.protocol, s.started_at,
  s.started_at::text AS started_key, s.ended_at, s.end_reason, s.last_activity_at`;

export interface SessionRow {
  session_id: string;
  agent_id: string;
  user_name: string | null;
  groups: string[];
  host: string | null;
  client_address: string | null;
  protocol: 'desktop' | 'terminal' | null;
  started_at: Date;
  started_key: string;
  ended_at: Date | null;
  end_reason: string | null;
  last_activity_at: Date | null;
}

interface RecordingRow {
  recording_id: string;
  session_id: string;
  kind: 'screen' | 'terminal';
  started_at: Date;
  stopped_at: Date | null;
  start_reason: CatalogRecordingSummary['reason'];
  stop_reason: CatalogRecordingSummary['reason'];
  rule_id: string | null;
  policy_version: number | null;
  actor: string | null;
  stop_actor: string | null;
}

type SessionFields = Omit<CatalogSearchResult, 'matches'>;

/** Recordings of these sessions whose kind is known (the others have nothing to play yet). */
export async function recordingsOf(
  db: EntityManager,
  sessionIds: readonly string[],
): Promise<Map<string, CatalogRecordingSummary[]>> {
  const out = new Map<string, CatalogRecordingSummary[]>();
  if (sessionIds.length === 0) return out;
  const rows = await db.query<RecordingRow[]>(
    `SELECT recording_id, session_id, kind, started_at, stopped_at, start_reason, stop_reason,
            rule_id, policy_version, actor, stop_actor
       FROM recordings WHERE session_id = ANY($1::uuid[]) AND kind IS NOT NULL
      ORDER BY started_at, recording_id`,
    [sessionIds],
  );
  for (const r of rows) {
    const list = out.get(r.session_id) ?? [];
    if (list.length >= 200) continue;
    list.push({
      recordingId: r.recording_id,
      kind: r.kind,
      startedAt: iso(r.started_at),
      ...(r.stopped_at ? { stoppedAt: iso(r.stopped_at) } : {}),
      reason: r.start_reason,
      ...(r.stop_reason ? { stopReason: r.stop_reason } : {}),
      ...(r.rule_id !== null ? { ruleId: r.rule_id } : {}),
      ...(r.policy_version !== null ? { policyVersion: r.policy_version } : {}),
      ...(r.actor !== null ? { startedBy: r.actor } : {}),
      ...(r.stop_actor !== null ? { stoppedBy: r.stop_actor } : {}),
    });
    out.set(r.session_id, list);
  }
  return out;
}

export function toSessionFields(
  row: SessionRow,
  recordings: CatalogRecordingSummary[] = [],
): SessionFields {
  const endedAt = isoOrUndefined(row.ended_at);
  const lastActivityAt = isoOrUndefined(row.last_activity_at);
  return {
    sessionId: row.session_id,
    agentId: row.agent_id,
    user: row.user_name,
    groups: row.groups,
    host: row.host,
    ...(row.client_address ? { clientAddress: row.client_address } : {}),
    protocol: row.protocol,
    startedAt: iso(row.started_at),
    ...(endedAt ? { endedAt } : {}),
    ...(row.end_reason ? { endReason: row.end_reason } : {}),
    ...(lastActivityAt ? { lastActivityAt } : {}),
    recordings,
  };
}
