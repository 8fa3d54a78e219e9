/**
 * The policy tables (schema `policy`): immutable versions and the active pointer of every
 * policy kind (recording, detection, responses, viewing). A new version is numbered under
 * a row lock on its kind's pointer so concurrent puts never collide.
 */
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { PolicyKind, PolicyVersionInfo } from '@sessionrec/contracts';
import { DataSource } from 'typeorm';

interface VersionRow {
  version: number;
  document: Record<string, unknown>;
  created_by: string;
  created_at: Date;
  comment: string | null;
}

export interface StoredPolicy {
  readonly info: PolicyVersionInfo;
  readonly document: Record<string, unknown>;
}

function toInfo(r: VersionRow): PolicyVersionInfo {
  return {
    version: r.version,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    ...(r.comment === null ? {} : { comment: r.comment }),
  };
}

@Injectable()
export class PolicyStore {
  constructor(private readonly dataSource: DataSource) {}

  async active(kind: PolicyKind): Promise<StoredPolicy | null> {
    const rows: VersionRow[] = await this.dataSource.query(
      `SELECT p.version, p.document, p.created_by, p.created_at, p.comment
         FROM active_policies a JOIN policies p ON p.kind = a.kind AND p.version = a.version
        WHERE a.kind = $1`,
      [kind],
    );
    const row = rows[0];
    return row ? { info: toInfo(row), document: row.document } : null;
  }

  async versions(
    kind: PolicyKind,
    limit: number,
  ): Promise<{ active: number | null; versions: PolicyVersionInfo[] }> {
    const rows: VersionRow[] = await this.dataSource.query(
      `SELECT version, document, created_by, created_at, comment FROM policies
        WHERE kind = $1 ORDER BY version DESC LIMIT $2`,
      [kind, limit],
    );
    const active: { version: number | null }[] = await this.dataSource.query(
      `SELECT version FROM active_policies WHERE kind = $1`,
      [kind],
    );
    return { active: active[0]?.version ?? null, versions: rows.map(toInfo) };
  }

  /** Stores a new version, makes it active and returns it with the document it replaced. */
  async publish(
    kind: PolicyKind,
    document: unknown,
    actor: { id: string; name: string },
    comment: string | undefined,
  ): Promise<{ version: number; previous: Record<string, unknown> | null }> {
    return this.dataSource.transaction(async (m) => {
      await m.query(`SELECT 1 FROM active_policies WHERE kind = $1 FOR UPDATE`, [kind]);
      const prev: { version: number; document: Record<string, unknown> }[] = await m.query(
        `SELECT p.version, p.document FROM active_policies a
           JOIN policies p ON p.kind = a.kind AND p.version = a.version WHERE a.kind = $1`,
        [kind],
      );
      const max: { v: number }[] = await m.query(
        `SELECT coalesce(max(version), 0)::int AS v FROM policies WHERE kind = $1`,
        [kind],
      );
      const version = (max[0]?.v ?? 0) + 1;
      await m.query(
        `INSERT INTO policies (id, kind, version, document, created_by, created_by_id, comment)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)`,
        [
          randomUUID(),
          kind,
          version,
          JSON.stringify(document),
          actor.name,
          actor.id,
          comment ?? null,
        ],
      );
      await m.query(`UPDATE active_policies SET version = $1 WHERE kind = $2`, [version, kind]);
      return { version, previous: prev[0]?.document ?? null };
    });
  }
}
