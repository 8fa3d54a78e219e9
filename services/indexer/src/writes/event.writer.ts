/**
 * Writes batches of events in one transaction: one statement that inserts the rows (ON
 * CONFLICT DO NOTHING, so redelivery changes nothing) and counts the applications used
 * per session from the rows it actually inserted, then the sessions' activity. Activity
 * comes last so that concurrent batches of the same sessions hold a session's row lock only
 * from that short statement to the commit, not while the rows and their full-text and
 * trigram index entries are written.
 */
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { EventRecorded } from '@sessionrec/contracts';
import { DataSource } from 'typeorm';
import { Batcher } from '../batch/batcher';
import { INDEXER_CONFIG, type IndexerConfig } from '../indexer-config';
import { recordActivity } from './activity';
import { type EventRow, toEventRow } from './event-row';

@Injectable()
export class EventWriter implements OnApplicationShutdown {
  private readonly batcher: Batcher<EventRow>;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(INDEXER_CONFIG) config: IndexerConfig,
  ) {
    this.batcher = new Batcher((rows) => this.write(rows), {
      maxRows: config.INDEXER_BATCH_ROWS,
      maxDelayMs: config.INDEXER_BATCH_DELAY_MS,
    });
  }

  /** Resolves once the event is durable in the catalogue. */
  add(event: EventRecorded): Promise<void> {
    return this.batcher.add(toEventRow(event));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.batcher.drain();
  }

  private async write(rows: readonly EventRow[]): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.query(
        `WITH ins AS (
             INSERT INTO events (event_id, session_id, recording_id, type, at, offset_ms, app, title,
                                 command_line, file_path, details, search_text)
             SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[],
                                  $6::bigint[], $7::text[], $8::text[], $9::text[], $10::text[],
                                  $11::jsonb[], $12::text[])
             ON CONFLICT (event_id) DO NOTHING
             RETURNING session_id, app, at)
           INSERT INTO session_apps AS a (session_id, name, first_seen_at, last_seen_at, event_count)
           SELECT session_id, app, min(at), max(at), count(*) FROM ins
            WHERE app IS NOT NULL GROUP BY session_id, app ORDER BY session_id, app
           ON CONFLICT (session_id, name) DO UPDATE SET
             first_seen_at = least(a.first_seen_at, excluded.first_seen_at),
             last_seen_at = greatest(a.last_seen_at, excluded.last_seen_at),
             event_count = a.event_count + excluded.event_count`,
        [
          rows.map((r) => r.eventId),
          rows.map((r) => r.sessionId),
          rows.map((r) => r.recordingId),
          rows.map((r) => r.type),
          rows.map((r) => r.at),
          rows.map((r) => r.offsetMs),
          rows.map((r) => r.app),
          rows.map((r) => r.title),
          rows.map((r) => r.commandLine),
          rows.map((r) => r.filePath),
          rows.map((r) => r.details),
          rows.map((r) => r.searchText),
        ],
      );
      await recordActivity(
        m,
        rows.map((r) => ({
          sessionId: r.sessionId,
          agentId: r.agentId,
          at: r.at,
          eventType: r.type,
          app: r.app,
        })),
      );
    });
  }
}
