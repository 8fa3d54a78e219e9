/**
 * Every event, segment and metric proves its session (and agent) is alive: this records
 * that in the same transaction as the rows, creating a placeholder session when the
 * message arrived before session.started (which fills it in later).
 */
import type { EntityManager } from 'typeorm';
import { Params } from '../queries/sql';

export interface Activity {
  sessionId: string;
  agentId: string;
  /** Host time of the fact: the placeholder's provisional start. */
  at: string;
  eventType?: string;
  app?: string | null;
}

/** Activity times are kept to this precision; the silent-host timeout is minutes. */
export const ACTIVITY_GRANULARITY_S = 5;

interface SessionTouch {
  sessionId: string;
  agentId: string;
  earliest: string;
  types: Set<string>;
  apps: Set<string>;
}

/** The two upserts of a batch's activity, on parameters added to `p`. */
export interface ActivityStatements {
  /** Sessions: placeholder or activity time, applications and event types. */
  sessions: string;
  /** Agents: last seen. */
  agents: string;
}

/**
 * The activity upserts of `activity` (not empty), as statements whose parameters are added
 * to `p` (the agents' to `agentParams` when given): run them one after the other, or as
 * data-modifying CTEs of one statement.
 */
export function activityStatements(
  activity: readonly Activity[],
  p: Params,
  agentParams: Params = p,
  agentIds: readonly string[] = activity.map((a) => a.agentId),
): ActivityStatements {
  const sessions = new Map<string, SessionTouch>();
  for (const a of activity) {
    let s = sessions.get(a.sessionId);
    if (!s) {
      s = {
        sessionId: a.sessionId,
        agentId: a.agentId,
        earliest: a.at,
        types: new Set(),
        apps: new Set(),
      };
      sessions.set(a.sessionId, s);
    }
    if (Date.parse(a.at) < Date.parse(s.earliest)) s.earliest = a.at;
    if (a.eventType) s.types.add(a.eventType);
    if (a.app) s.apps.add(a.app);
  }
  // Sorted, so concurrent batches lock session rows in the same order and never deadlock.
  const touched = [...sessions.values()].sort((x, y) => (x.sessionId < y.sessionId ? -1 : 1));
  const ids = p.add(touched.map((t) => t.sessionId));
  const sessionAgents = p.add(touched.map((t) => t.agentId));
  const starts = p.add(touched.map((t) => t.earliest));
  const types = p.add(touched.map((t) => JSON.stringify([...t.types])));
  const apps = p.add(touched.map((t) => JSON.stringify([...t.apps])));
  const agents = agentParams.add([...new Set(agentIds)].sort());
  return {
    sessions: `INSERT INTO sessions AS s (session_id, agent_id, started_at, event_types, apps, last_activity_at)
     SELECT t.session_id, t.agent_id, t.started_at, t.types, t.apps, now()
       FROM (SELECT t.session_id, t.agent_id, t.started_at,
                    ARRAY(SELECT jsonb_array_elements_text(t.types)) AS types,
                    ARRAY(SELECT jsonb_array_elements_text(t.apps)) AS apps
               FROM unnest(${ids}::uuid[], ${sessionAgents}::uuid[], ${starts}::timestamptz[],
                           ${types}::jsonb[], ${apps}::jsonb[])
                    AS t(session_id, agent_id, started_at, types, apps)) t
      -- Read before locking: a session this batch would not change is left alone, so
      -- concurrent batches of a busy session do not queue on its row lock. (INSERT ... ON
      -- CONFLICT locks the row even when the DO UPDATE's WHERE is false.)
      WHERE NOT EXISTS (
        SELECT 1 FROM sessions x
         WHERE x.session_id = t.session_id
           AND x.last_activity_at >= now() - interval '${ACTIVITY_GRANULARITY_S} seconds'
           AND t.types <@ x.event_types AND t.apps <@ x.apps
           AND (x.start_seen OR t.started_at >= x.started_at))
      ORDER BY t.session_id
     ON CONFLICT (session_id) DO UPDATE SET
       last_activity_at = greatest(s.last_activity_at, now()),
       started_at = CASE WHEN s.start_seen THEN s.started_at
                         ELSE least(s.started_at, excluded.started_at) END,
       event_types = CASE WHEN excluded.event_types <@ s.event_types THEN s.event_types
                          ELSE ARRAY(SELECT DISTINCT unnest(s.event_types || excluded.event_types)) END,
       apps = CASE WHEN excluded.apps <@ s.apps THEN s.apps
                   ELSE ARRAY(SELECT DISTINCT unnest(s.apps || excluded.apps)) END
     -- Most batches change nothing but the activity time: rewrite a busy session's row
     -- (and its index entries) at most every few seconds, not on every batch.
     WHERE s.last_activity_at < now() - interval '${ACTIVITY_GRANULARITY_S} seconds'
        OR NOT excluded.event_types <@ s.event_types
        OR NOT excluded.apps <@ s.apps
        OR (NOT s.start_seen AND excluded.started_at < s.started_at)`,
    agents: `INSERT INTO agents AS a (agent_id, first_seen_at, last_seen_at)
     SELECT id, now(), now() FROM unnest(${agents}::uuid[]) AS id
      WHERE NOT EXISTS (SELECT 1 FROM agents x WHERE x.agent_id = id
                          AND x.last_seen_at >= now() - interval '${ACTIVITY_GRANULARITY_S} seconds')
      ORDER BY id
     ON CONFLICT (agent_id) DO UPDATE SET last_seen_at = now()
     WHERE a.last_seen_at < now() - interval '${ACTIVITY_GRANULARITY_S} seconds'`,
  };
}

/** Records `activity` in the transaction of `m` (two statements). */
export async function recordActivity(
  m: EntityManager,
  activity: readonly Activity[],
): Promise<void> {
  if (activity.length === 0) return;
  const p = new Params();
  const agentParams = new Params();
  const { sessions, agents } = activityStatements(activity, p, agentParams);
  await m.query(sessions, p.values);
  await m.query(agents, agentParams.values);
}

/** How long this process trusts its own activity writes: a second under the granularity. */
const TRUSTED_MS = (ACTIVITY_GRANULARITY_S - 1) * 1000;
const CACHED_SESSIONS = 100_000;

interface Written {
  /** performance.now() before the statement that wrote it was sent. */
  at: number;
  earliest: number;
  types: Set<string>;
  apps: Set<string>;
}

/**
 * What this process itself wrote of sessions' and agents' activity in the last few seconds,
 * so a batch leaves out the sessions the activity upsert would leave alone anyway: written
 * by us less than TRUSTED_MS ago (the row's activity time can only have grown since), with
 * no application or event type and no earlier placeholder start than we wrote. The database
 * would read each such row only to skip it. Durations are measured on this process's
 * monotonic clock, so clock differences with the database do not matter.
 */
export class ActivityCache {
  private readonly sessions = new Map<string, Written>();
  private readonly agents = new Map<string, number>();

  /** The activity the database may still change, and the agents it may still touch. */
  unsettled(activity: readonly Activity[]): { activity: Activity[]; agentIds: string[] } {
    const now = performance.now();
    const rows = activity.filter((a) => {
      const w = this.sessions.get(a.sessionId);
      return (
        !w ||
        now - w.at >= TRUSTED_MS ||
        Date.parse(a.at) < w.earliest ||
        (a.eventType !== undefined && !w.types.has(a.eventType)) ||
        (a.app != null && a.app !== '' && !w.apps.has(a.app))
      );
    });
    const agentIds = [...new Set(activity.map((a) => a.agentId))].filter((id) => {
      const at = this.agents.get(id);
      return at === undefined || now - at >= TRUSTED_MS;
    });
    return { activity: rows, agentIds };
  }

  /**
   * After the commit: the statement sent at `at` wrote `sessions` (their activity from
   * `activity`) and `agents`.
   */
  wrote(
    at: number,
    activity: readonly Activity[],
    sessions: readonly string[],
    agents: readonly string[],
  ): void {
    const written = new Set(sessions);
    for (const a of activity) {
      if (!written.has(a.sessionId)) continue;
      let w = this.sessions.get(a.sessionId);
      if (!w || w.at !== at) {
        // Types, applications and an earlier start only grow in the row: what we knew stays.
        w = {
          at,
          earliest: w?.earliest ?? Infinity,
          types: w?.types ?? new Set(),
          apps: w?.apps ?? new Set(),
        };
        this.sessions.delete(a.sessionId);
        this.sessions.set(a.sessionId, w);
      }
      // A placeholder's start is the least time written to it: at most this one.
      w.earliest = Math.min(w.earliest, Date.parse(a.at));
      if (a.eventType) w.types.add(a.eventType);
      if (a.app) w.apps.add(a.app);
    }
    for (const id of agents) {
      this.agents.delete(id);
      this.agents.set(id, at);
    }
    evictOldest(this.sessions, CACHED_SESSIONS);
    evictOldest(this.agents, CACHED_SESSIONS);
  }
}

function evictOldest(map: Map<string, unknown>, max: number): void {
  for (const key of map.keys()) {
    if (map.size <= max) return;
    map.delete(key);
  }
}
