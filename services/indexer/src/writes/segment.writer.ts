/**
 * Writes batches of stored segments (idempotent on recording and sequence) and the gaps
 * ingest reported. A segment that arrives before its recording.started creates a
 * placeholder recording whose kind follows from the segment (init/media: screen; cast:
 * terminal); recording.started fills in the rest.
 */
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { SegmentGap, SegmentStored } from '@sessionrec/contracts';
import { DataSource } from 'typeorm';
import { Batcher } from '../batch/batcher';
import { INDEXER_CONFIG, type IndexerConfig } from '../indexer-config';
import { recordActivity } from './activity';

@Injectable()
export class SegmentWriter implements OnApplicationShutdown {
  private readonly batcher: Batcher<SegmentStored>;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(INDEXER_CONFIG) config: IndexerConfig,
  ) {
    this.batcher = new Batcher((rows) => this.write(rows), {
      maxRows: config.INDEXER_BATCH_ROWS,
      maxDelayMs: config.INDEXER_BATCH_DELAY_MS,
    });
  }

  addAll(segments: readonly SegmentStored[]): Promise<void> {
    return this.batcher.addAll(segments);
  }

  async addGap(gap: SegmentGap): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await recordActivity(m, [{ ...gap, at: gap.detectedAt }]);
      await m.query(
        `INSERT INTO segment_gaps (recording_id, from_seq, to_seq, session_id, detected_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [gap.recordingId, gap.fromSeq, gap.toSeq, gap.sessionId, gap.detectedAt],
      );
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.batcher.drain();
  }

  private async write(rows: readonly SegmentStored[]): Promise<void> {
    const recordings = new Map<string, SegmentStored>();
    for (const r of rows) if (!recordings.has(r.recordingId)) recordings.set(r.recordingId, r);
    const placeholders = [...recordings.values()].sort((a, b) =>
      a.recordingId < b.recordingId ? -1 : 1,
    );
    await this.dataSource.transaction(async (m) => {
      await recordActivity(
        m,
        rows.map((r) => ({ ...r, at: r.storedAt })),
      );
      await m.query(
        `INSERT INTO recordings AS r (recording_id, session_id, agent_id, kind, started_at)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[])
         ON CONFLICT (recording_id) DO UPDATE SET kind = excluded.kind WHERE r.kind IS NULL`,
        [
          placeholders.map((p) => p.recordingId),
          placeholders.map((p) => p.sessionId),
          placeholders.map((p) => p.agentId),
          placeholders.map((p) => (p.kind === 'cast' ? 'terminal' : 'screen')),
          placeholders.map((p) => p.storedAt),
        ],
      );
      await m.query(
        `INSERT INTO segments (recording_id, seq, session_id, kind, key, size, sha256, prev_sha256,
                               start_ms, end_ms, stored_at)
         SELECT * FROM unnest($1::uuid[], $2::int[], $3::uuid[], $4::text[], $5::text[],
                              $6::bigint[], $7::text[], $8::text[], $9::bigint[], $10::bigint[],
                              $11::timestamptz[])
         ON CONFLICT (recording_id, seq) DO NOTHING`,
        [
          rows.map((r) => r.recordingId),
          rows.map((r) => r.seq),
          rows.map((r) => r.sessionId),
          rows.map((r) => r.kind),
          rows.map((r) => r.key),
          rows.map((r) => r.size),
          rows.map((r) => r.sha256),
          rows.map((r) => r.prevSha256 ?? null),
          rows.map((r) => r.startMs),
          rows.map((r) => r.endMs),
          rows.map((r) => r.storedAt),
        ],
      );
    });
  }
}
