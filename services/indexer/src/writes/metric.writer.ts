/** Writes batches of network-quality samples (idempotent on sampleId) with session activity. */
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { NetworkSample } from '@sessionrec/contracts';
import { DataSource } from 'typeorm';
import { Batcher } from '../batch/batcher';
import { INDEXER_CONFIG, type IndexerConfig } from '../indexer-config';
import { recordActivity } from './activity';

@Injectable()
export class MetricWriter implements OnApplicationShutdown {
  private readonly batcher: Batcher<NetworkSample>;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(INDEXER_CONFIG) config: IndexerConfig,
  ) {
    this.batcher = new Batcher((rows) => this.write(rows), {
      maxRows: config.INDEXER_BATCH_ROWS,
      maxDelayMs: config.INDEXER_BATCH_DELAY_MS,
    });
  }

  addAll(samples: readonly NetworkSample[]): Promise<void> {
    return this.batcher.addAll(samples);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.batcher.drain();
  }

  private async write(rows: readonly NetworkSample[]): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await recordActivity(m, rows);
      await m.query(
        `INSERT INTO network_samples (sample_id, session_id, at, offset_ms, rtt_ms, jitter_ms,
                                      retransmits, throughput_bps)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::bigint[],
                              $5::float8[], $6::float8[], $7::int[], $8::float8[])
         ON CONFLICT (sample_id) DO NOTHING`,
        [
          rows.map((r) => r.sampleId),
          rows.map((r) => r.sessionId),
          rows.map((r) => r.at),
          rows.map((r) => r.offsetMs),
          rows.map((r) => r.rttMs),
          rows.map((r) => r.jitterMs),
          rows.map((r) => r.retransmits),
          rows.map((r) => r.throughputBps),
        ],
      );
    });
  }
}
