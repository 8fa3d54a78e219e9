/** The ingest schema's agents and enrolment tokens: every SQL statement about them. */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { selectRows } from '../sql';

export interface AgentRow {
  id: string;
  credential_hash: string;
  revoked_at: Date | null;
}

export interface NewAgent {
  id: string;
  credentialHash: string;
  hostname: string;
  os: string;
  agentVersion: string;
}

export type EnrolOutcome = 'enrolled' | 'unknown' | 'used' | 'expired';

@Injectable()
export class AgentRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findAgent(agentId: string): Promise<AgentRow | undefined> {
    const rows = await selectRows<AgentRow>(
      this.dataSource,
      'SELECT id, credential_hash, revoked_at FROM agents WHERE id = $1',
      [agentId],
    );
    return rows[0];
  }

  /**
   * Consumes the token and creates the agent in one transaction. The conditional UPDATE
   * is the race's arbiter: of two concurrent enrolments with one token, only one
   * matches `used_at IS NULL`; the other sees zero rows and learns why.
   */
  async enrol(tokenHash: string, agent: NewAgent): Promise<EnrolOutcome> {
    return this.dataSource.transaction(async (em) => {
      const claimed = await selectRows<{ id: string }>(
        em,
        `UPDATE enrol_tokens SET used_at = now(), used_by_agent_id = $2
          WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
          RETURNING id`,
        [tokenHash, agent.id],
      );
      const token = claimed[0];
      if (!token) {
        const rows = await selectRows<{ used: boolean; expired: boolean }>(
          em,
          `SELECT used_at IS NOT NULL AS used, expires_at <= now() AS expired
             FROM enrol_tokens WHERE token_hash = $1`,
          [tokenHash],
        );
        const row = rows[0];
        if (!row) return 'unknown';
        return row.used ? 'used' : 'expired';
      }
      await em.query(
        `INSERT INTO agents (id, credential_hash, hostname, os, agent_version, enrol_token_id)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [agent.id, agent.credentialHash, agent.hostname, agent.os, agent.agentVersion, token.id],
      );
      return 'enrolled';
    });
  }
}
