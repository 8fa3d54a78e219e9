/** The api schema's users and tokens: every SQL statement about them. */
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { selectRows } from '../http/sql';
import { isRole, type Role } from './roles';

export interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  roles: Role[];
  disabled_at: Date | null;
}

export interface TokenOwner {
  token_id: string;
  user_id: string;
  username: string;
  roles: Role[];
  groups: string[];
  last_used_at: Date | null;
}

/** Only roles the code knows survive a read (the table's check allows no others anyway). */
function knownRoles(roles: unknown): Role[] {
  return Array.isArray(roles)
    ? roles.filter((r): r is Role => typeof r === 'string' && isRole(r))
    : [];
}

@Injectable()
export class UsersRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findByUsername(username: string): Promise<UserRow | undefined> {
    const rows = await selectRows<UserRow>(
      this.dataSource,
      'SELECT id, username, password_hash, roles, disabled_at FROM users WHERE username = $1',
      [username],
    );
    const row = rows[0];
    return row ? { ...row, roles: knownRoles(row.roles) } : undefined;
  }

  /** Creates the user unless the name is taken; undefined when it was. */
  async createIfAbsent(user: {
    username: string;
    passwordHash: string;
    roles: readonly Role[];
  }): Promise<string | undefined> {
    const rows = await selectRows<{ id: string }>(
      this.dataSource,
      `INSERT INTO users (id, username, password_hash, roles) VALUES ($1, $2, $3, $4)
       ON CONFLICT (username) DO NOTHING RETURNING id`,
      [randomUUID(), user.username, user.passwordHash, [...user.roles]],
    );
    return rows[0]?.id;
  }

  async insertToken(token: {
    userId: string;
    tokenHash: string;
    kind: 'session' | 'api';
    expiresAt: Date;
  }): Promise<string> {
    const id = randomUUID();
    await this.dataSource.query(
      `INSERT INTO api_tokens (id, user_id, token_hash, kind, expires_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [id, token.userId, token.tokenHash, token.kind, token.expiresAt],
    );
    return id;
  }

  /** The owner of a token that is unexpired, unrevoked and whose user is not disabled. */
  async findValidToken(tokenHash: string): Promise<TokenOwner | undefined> {
    const rows = await selectRows<TokenOwner>(
      this.dataSource,
      `SELECT t.id AS token_id, u.id AS user_id, u.username, u.roles, u.groups, t.last_used_at
         FROM api_tokens t JOIN users u ON u.id = t.user_id
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now()
          AND u.disabled_at IS NULL`,
      [tokenHash],
    );
    const row = rows[0];
    return row ? { ...row, roles: knownRoles(row.roles) } : undefined;
  }

  async touchToken(tokenId: string): Promise<void> {
    await this.dataSource.query(`UPDATE api_tokens SET last_used_at = now() WHERE id = $1`, [
      tokenId,
    ]);
  }

  async revokeToken(tokenId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`,
      [tokenId],
    );
  }
}
