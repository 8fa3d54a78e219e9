/**
 * Writes batches of events, each in one statement (see `eventBatchStatement`): the rows
 * (ON CONFLICT DO NOTHING, so redelivery changes nothing), the applications used per
 * session and each session's word summary from the rows actually inserted, then the
 * sessions' activity, locked last so that concurrent batches of the same sessions hold a
 * session's row lock only briefly, not while the rows and their full-text and trigram index
 * entries are written.
 */
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { EventRecorded } from '@sessionrec/contracts';
import { DataSource } from 'typeorm';
import { Batcher } from '../batch/batcher';
import { INDEXER_CONFIG, type IndexerConfig } from '../indexer-config';
import { Params } from '../queries/sql';
import { type Activity, ActivityCache, activityStatements } from './activity';
import { type EventRow, textWords, toEventRow } from './event-row';

@Injectable()
export class EventWriter implements OnApplicationShutdown {
  private readonly batcher: Batcher<EventRow>;
  private readonly activity = new ActivityCache();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(INDEXER_CONFIG) config: IndexerConfig,
  ) {
    this.batcher = new Batcher((rows) => this.write(rows), {
      maxRows: config.INDEXER_BATCH_ROWS,
      maxDelayMs: config.INDEXER_BATCH_DELAY_MS,
    });
  }

  /** Resolves once every one of the events is durable in the catalogue. */
  addAll(events: readonly EventRecorded[]): Promise<void> {
    return this.batcher.addAll(events.map(toEventRow));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.batcher.drain();
  }

  private async write(rows: readonly EventRow[]): Promise<void> {
    const activity = rows.map((r) => ({
      sessionId: r.sessionId,
      agentId: r.agentId,
      at: r.at,
      eventType: r.type,
      app: r.app,
    }));
    const unsettled = this.activity.unsettled(activity);
    const sent = performance.now();
    const [written] = await this.dataSource.query<WrittenRow[]>(
      ...eventBatchStatement(rows, unsettled.activity, unsettled.agentIds),
    );
    if (written) this.activity.wrote(sent, activity, written.sessions, written.agents);
  }
}

interface WrittenRow {
  /** The sessions and agents whose activity the statement wrote. */
  sessions: string[];
  agents: string[];
}

/**
 * Longest word summary kept per session (characters); a session with more distinct words
 * is searched through its events, as before the summary existed.
 */
export const MAX_SESSION_WORDS = 16_384;

/** Per session of the batch, its rows' distinct words (see `textWords`), joined by a space. */
function sessionWords(rows: readonly EventRow[]): { sessionId: string; words: string }[] {
  const bySession = new Map<string, Set<string>>();
  for (const r of rows) {
    let words = bySession.get(r.sessionId);
    if (!words) bySession.set(r.sessionId, (words = new Set()));
    for (const w of textWords(r.searchText)) words.add(w);
  }
  return [...bySession]
    .filter(([, words]) => words.size > 0)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([sessionId, words]) => ({ sessionId, words: [...words].join(' ') }));
}

/**
 * One statement (its own transaction: one round trip, no BEGIN/COMMIT) that writes a batch:
 * - the events, `ON CONFLICT DO NOTHING` (a redelivered event changes nothing below);
 * - `session_apps` counts from the rows actually inserted;
 * - each session's word summary (`session_words`): the words of the batch's rows it lacks
 *   are appended (a redelivered row's words are there already); a session's row is created
 *   only when it has no earlier events, so a summary always covers every event of its
 *   session (a session indexed before summaries existed has none, and one whose summary
 *   outgrew MAX_SESSION_WORDS keeps NULL: both are searched through their events);
 * - the sessions' and agents' activity, without those this process wrote itself in the last
 *   4 s (ActivityCache).
 * The scalar subqueries run the data-modifying CTEs in that order, so a session's rows are
 * locked (sorted, so concurrent batches never deadlock) only after the events and their
 * full-text and trigram index entries are written. The CTEs share one snapshot: the
 * "no earlier events" check does not see this batch's own rows.
 */
export function eventBatchStatement(
  rows: readonly EventRow[],
  activity: readonly Activity[],
  agentIds: readonly string[],
): [string, unknown[]] {
  const p = new Params();
  const columns = [
    `${p.add(rows.map((r) => r.eventId))}::uuid[]`,
    `${p.add(rows.map((r) => r.sessionId))}::uuid[]`,
    `${p.add(rows.map((r) => r.recordingId))}::uuid[]`,
    `${p.add(rows.map((r) => r.type))}::text[]`,
    `${p.add(rows.map((r) => r.at))}::timestamptz[]`,
    `${p.add(rows.map((r) => r.offsetMs))}::bigint[]`,
    `${p.add(rows.map((r) => r.app))}::text[]`,
    `${p.add(rows.map((r) => r.title))}::text[]`,
    `${p.add(rows.map((r) => r.commandLine))}::text[]`,
    `${p.add(rows.map((r) => r.filePath))}::text[]`,
    `${p.add(rows.map((r) => r.details))}::jsonb[]`,
    `${p.add(rows.map((r) => r.searchText))}::text[]`,
  ];
  const upserts = activityStatements(activity, p, p, agentIds);
  const summaries = sessionWords(rows);
  const max = p.add(MAX_SESSION_WORDS);
  const sql = `WITH ins AS (
       INSERT INTO events (event_id, session_id, recording_id, type, at, offset_ms, app, title,
                           command_line, file_path, details, search_text)
       SELECT * FROM unnest(${columns.join(', ')})
       ON CONFLICT (event_id) DO NOTHING
       RETURNING session_id, app, at),
     apps AS (
       INSERT INTO session_apps AS a (session_id, name, first_seen_at, last_seen_at, event_count)
       SELECT session_id, app, min(at), max(at), count(*) FROM ins
        WHERE app IS NOT NULL GROUP BY session_id, app ORDER BY session_id, app
       ON CONFLICT (session_id, name) DO UPDATE SET
         first_seen_at = least(a.first_seen_at, excluded.first_seen_at),
         last_seen_at = greatest(a.last_seen_at, excluded.last_seen_at),
         event_count = a.event_count + excluded.event_count
       RETURNING 1),
     -- A session's summary gains the words it lacks; it is created only for a session with
     -- no earlier events (this batch's own rows are not visible to this snapshot).
     words AS (
       INSERT INTO session_words AS s (session_id, words)
       SELECT n.session_id, CASE WHEN length(n.words) > ${max} THEN NULL ELSE n.words END
         FROM unnest(${p.add(summaries.map((w) => w.sessionId))}::uuid[],
                     ${p.add(summaries.map((w) => w.words))}::text[]) AS t(session_id, words)
         -- LATERAL: the words are lowercased and deduplicated once per session (a subquery
         -- in a flattened FROM item was evaluated at each of its three uses).
         CROSS JOIN LATERAL (
           SELECT t.session_id, string_agg(DISTINCT w, ' ') AS words
             FROM unnest(string_to_array(lower(t.words), ' ')) AS w) n
         LEFT JOIN session_words x ON x.session_id = n.session_id
        WHERE CASE WHEN x.session_id IS NULL
                   THEN NOT EXISTS (SELECT 1 FROM events e WHERE e.session_id = n.session_id)
                   ELSE x.words IS NOT NULL AND EXISTS (
                          SELECT 1 FROM unnest(string_to_array(n.words, ' ')) AS w
                           WHERE strpos(' ' || x.words || ' ', ' ' || w || ' ') = 0) END
        ORDER BY n.session_id
       ON CONFLICT (session_id) DO UPDATE SET words = (
         SELECT CASE WHEN length(m.words) > ${max} THEN NULL ELSE m.words END
           FROM (SELECT s.words || coalesce(
                          (SELECT string_agg(' ' || w, '') FROM unnest(string_to_array(excluded.words, ' ')) AS w
                            WHERE strpos(' ' || s.words || ' ', ' ' || w || ' ') = 0), '') AS words
                  WHERE excluded.words IS NOT NULL) m)
       WHERE s.words IS NOT NULL
       RETURNING 1),
     act AS (${upserts.sessions} RETURNING s.session_id),
     ag AS (${upserts.agents} RETURNING a.agent_id)
     SELECT (SELECT count(*) FROM apps) AS apps, (SELECT count(*) FROM words) AS words,
            ARRAY(SELECT session_id FROM act) AS sessions, ARRAY(SELECT agent_id FROM ag) AS agents`;
  return [sql, p.values];
}
