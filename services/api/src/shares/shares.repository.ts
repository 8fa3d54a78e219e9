/** The api schema's share links: every SQL statement about them. */
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { selectRows } from '../http/sql';

export interface ShareRow {
  id: string;
  recording_id: string;
  session_id: string;
  kind: 'screen' | 'terminal';
  from_ms: string;
  to_ms: string;
  created_by: string;
  created_by_name: string | null;
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  opens: number;
}

/** A share as the api shows it (never with its token). */
export interface ShareView {
  shareId: string;
  recordingId: string;
  sessionId: string;
  kind: 'screen' | 'terminal';
  fromMs: number;
  toMs: number;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  opens: number;
}

export function shareView(row: ShareRow): ShareView {
  return {
    shareId: row.id,
    recordingId: row.recording_id,
    sessionId: row.session_id,
    kind: row.kind,
    fromMs: Number(row.from_ms),
    toMs: Number(row.to_ms),
    createdBy: row.created_by_name ?? row.created_by,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    revokedAt: row.revoked_at ? row.revoked_at.toISOString() : null,
    opens: row.opens,
  };
}

const COLUMNS = `s.id, s.recording_id, s.session_id, s.kind, s.from_ms, s.to_ms, s.created_by,
  u.username AS created_by_name, s.created_at, s.expires_at, s.revoked_at, s.opens`;

@Injectable()
export class SharesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(share: {
    tokenHash: string;
    recordingId: string;
    sessionId: string;
    kind: 'screen' | 'terminal';
    fromMs: number;
    toMs: number;
    createdBy: string;
    expiresAt: Date;
  }): Promise<ShareRow> {
    const id = randomUUID();
    await this.dataSource.query(
      `INSERT INTO shares (id, token_hash, recording_id, session_id, kind, from_ms, to_ms,
                           created_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        id,
        share.tokenHash,
        share.recordingId,
        share.sessionId,
        share.kind,
        share.fromMs,
        share.toMs,
        share.createdBy,
        share.expiresAt,
      ],
    );
    const row = await this.byId(id);
    if (!row) throw new Error(`share ${id} vanished after insert`);
    return row;
  }

  async byId(id: string): Promise<ShareRow | undefined> {
    const rows = await selectRows<ShareRow>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM shares s LEFT JOIN users u ON u.id = s.created_by WHERE s.id = $1`,
      [id],
    );
    return rows[0];
  }

  async forRecording(recordingId: string): Promise<ShareRow[]> {
    return selectRows<ShareRow>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM shares s LEFT JOIN users u ON u.id = s.created_by
        WHERE s.recording_id = $1 ORDER BY s.created_at DESC LIMIT 500`,
      [recordingId],
    );
  }

  /** The share a token opens: unexpired, unrevoked. */
  async valid(tokenHash: string): Promise<ShareRow | undefined> {
    const rows = await selectRows<ShareRow>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM shares s LEFT JOIN users u ON u.id = s.created_by
        WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()`,
      [tokenHash],
    );
    return rows[0];
  }

  async revoke(id: string, by: string): Promise<boolean> {
    const rows = await selectRows<{ id: string }>(
      this.dataSource,
      `UPDATE shares SET revoked_at = now(), revoked_by = $2
        WHERE id = $1 AND revoked_at IS NULL RETURNING id`,
      [id, by],
    );
    return rows.length > 0;
  }

  async opened(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE shares SET opens = opens + 1, last_opened_at = now() WHERE id = $1`,
      [id],
    );
  }
}
