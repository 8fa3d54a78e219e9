/**
 * Closes sessions whose host went silent: an open session with no event, segment or
 * metric for INDEXER_SILENT_AFTER_MS is ended with reason host-silent, and session.ended
 * is published so policy, retention and the api learn it too. Rows are locked with SKIP
 * LOCKED and published before the transaction commits, so several indexer replicas never
 * close the same session twice and a failed publish leaves it for the next sweep.
 */
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Messaging } from '@sessionrec/messaging';
import { DataSource } from 'typeorm';
import { INDEXER_CONFIG, type IndexerConfig } from '../indexer-config';
import { HOST_SILENT } from '../writes/lifecycle.writer';

/** Sessions closed per transaction; the sweep repeats until none are left. */
const SWEEP_BATCH = 200;

interface SilentRow {
  session_id: string;
  agent_id: string;
  ended_at: Date;
}

@Injectable()
export class SilentHostSweep implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(SilentHostSweep.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly messaging: Messaging,
    @Inject(INDEXER_CONFIG) private readonly config: IndexerConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => 0);
  }

  /** One full sweep; returns how many sessions it closed. */
  async sweep(): Promise<number> {
    let closed = 0;
    for (;;) {
      const n = await this.closeBatch();
      closed += n;
      if (n < SWEEP_BATCH || this.stopped) return closed;
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep();
      void this.running
        .then((n) => n > 0 && this.log.log(`closed ${n} session(s) whose host went silent`))
        .catch((err: unknown) => this.log.warn(`silent-host sweep failed: ${String(err)}`))
        .finally(() => this.schedule());
    }, this.config.INDEXER_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  private async closeBatch(): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      const rows = await m.query<SilentRow[]>(
        `SELECT session_id, agent_id, last_activity_at AS ended_at FROM sessions
          WHERE ended_at IS NULL
            AND last_activity_at < now() - make_interval(secs => $1::double precision / 1000)
          ORDER BY last_activity_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [this.config.INDEXER_SILENT_AFTER_MS, SWEEP_BATCH],
      );
      for (const row of rows) {
        await this.messaging.publish('session.ended', {
          v: 1,
          sessionId: row.session_id,
          agentId: row.agent_id,
          endedAt: row.ended_at.toISOString(),
          reason: HOST_SILENT,
        });
      }
      if (rows.length > 0) {
        await m.query(
          `UPDATE sessions SET ended_at = last_activity_at, end_reason = $2
            WHERE session_id = ANY($1::uuid[]) AND ended_at IS NULL`,
          [rows.map((r) => r.session_id), HOST_SILENT],
        );
      }
      return rows.length;
    });
  }
}
