/**
 * The api's way to manage agents (`agents.*` requests; ingest owns the agents and their
 * enrolment tokens): list them, create a one-time enrolment token (returned once, stored
 * as its SHA-256, exactly as `sessionrec enrol-token create` does), revoke one (marked in
 * the table, then `agent.revoked` so every ingest instance refuses it at once).
 */
import { randomUUID } from 'node:crypto';
import { Controller } from '@nestjs/common';
import type { ReplyOf, RequestOf } from '@sessionrec/contracts';
import { Messaging, OnRequest } from '@sessionrec/messaging';
import { DataSource } from 'typeorm';
import { newEnrolToken, sha256Hex } from '../auth/credentials';
import { selectRows } from '../sql';

interface AgentRow {
  id: string;
  hostname: string;
  os: string;
  agent_version: string;
  enrolled_at: Date;
  revoked_at: Date | null;
  revoked_by: string | null;
}

@Controller()
export class AgentsRpcController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly messaging: Messaging,
  ) {}

  @OnRequest('agents.list')
  async list(r: RequestOf<'agents.list'>): Promise<ReplyOf<'agents.list'>> {
    const rows = await selectRows<AgentRow>(
      this.dataSource,
      `SELECT id, hostname, os, agent_version, enrolled_at, revoked_at, revoked_by
         FROM agents ORDER BY enrolled_at DESC, id LIMIT $1`,
      [r.limit],
    );
    return {
      v: 1,
      agents: rows.map((a) => ({
        agentId: a.id,
        hostname: a.hostname,
        os: a.os,
        agentVersion: a.agent_version,
        enrolledAt: a.enrolled_at.toISOString(),
        ...(a.revoked_at ? { revokedAt: a.revoked_at.toISOString() } : {}),
        ...(a.revoked_by ? { revokedBy: a.revoked_by } : {}),
      })),
    };
  }

  @OnRequest('agents.enrol-token.create')
  async createToken(
    r: RequestOf<'agents.enrol-token.create'>,
  ): Promise<ReplyOf<'agents.enrol-token.create'>> {
    const token = newEnrolToken();
    const tokenId = randomUUID();
    const expiresAt = new Date(Date.now() + r.expiresInSeconds * 1000);
    const note = [r.note, `created by ${r.createdBy}`].filter(Boolean).join(' — ');
    await this.dataSource.query(
      `INSERT INTO enrol_tokens (id, token_hash, note, expires_at) VALUES ($1, $2, $3, $4)`,
      [tokenId, sha256Hex(token), note, expiresAt],
    );
    return { v: 1, tokenId, token, expiresAt: expiresAt.toISOString() };
  }

  @OnRequest('agents.revoke')
  async revoke(r: RequestOf<'agents.revoke'>): Promise<ReplyOf<'agents.revoke'>> {
    const rows = await selectRows<{ revoked_at: Date; revoked_by: string }>(
      this.dataSource,
      `UPDATE agents
          SET revoked_at = coalesce(revoked_at, now()), revoked_by = coalesce(revoked_by, $2),
              revoke_reason = coalesce(revoke_reason, $3)
        WHERE id = $1 RETURNING revoked_at, revoked_by`,
      [r.agentId, r.revokedBy, r.reason ?? null],
    );
    const row = rows[0];
    if (!row) return { v: 1, revokedAt: null };
    // Repeated for an agent already revoked: every instance hears it again, harmlessly.
    await this.messaging.publish('agent.revoked', {
      v: 1,
      agentId: r.agentId,
      revokedAt: row.revoked_at.toISOString(),
      revokedBy: row.revoked_by,
      ...(r.reason ? { reason: r.reason } : {}),
    });
    return { v: 1, revokedAt: row.revoked_at.toISOString() };
  }
}
