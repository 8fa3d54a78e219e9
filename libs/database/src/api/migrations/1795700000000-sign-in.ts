/**
 * Sign-in (issue 6): the people who use the api and the bearer tokens they hold. Roles are
 * stored now and enforced by a later issue; a token row keeps only the SHA-256 of the
 * token, so a database dump cannot be replayed. Unqualified names: the connection's
 * search_path is the owner's schema.
 */
import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class ApiSignIn1795700000000 implements MigrationInterface {
  readonly name = 'ApiSignIn1795700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        username text NOT NULL UNIQUE,
        password_hash text NOT NULL,
        roles text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        disabled_at timestamptz,
        CONSTRAINT users_roles_known CHECK (
          roles <@ ARRAY['admin', 'policy-admin', 'investigator', 'helpdesk', 'auditor']::text[]
        )
      )`);
    await queryRunner.query(`
      CREATE TABLE api_tokens (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        token_hash text NOT NULL UNIQUE,
        kind text NOT NULL CHECK (kind IN ('session', 'api')),
        name text,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX api_tokens_user_idx ON api_tokens (user_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE api_tokens`);
    await queryRunner.query(`DROP TABLE users`);
  }
}
