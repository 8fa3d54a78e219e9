/**
 * Share links (issue 9): a time-bounded clip of one recording that anyone holding the
 * link may play until it expires or is revoked. Only the SHA-256 of the link's token is
 * kept, so a database dump cannot be replayed as links. Opens are counted here and each
 * one is also audited on the AUDIT stream.
 */
import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class ApiShares1796500000000 implements MigrationInterface {
  readonly name = 'ApiShares1796500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE shares (
        id uuid PRIMARY KEY,
        token_hash text NOT NULL UNIQUE,
        recording_id uuid NOT NULL,
        session_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('screen', 'terminal')),
        from_ms bigint NOT NULL CHECK (from_ms >= 0),
        to_ms bigint NOT NULL,
        created_by uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_by uuid REFERENCES users (id) ON DELETE SET NULL,
        opens integer NOT NULL DEFAULT 0,
        last_opened_at timestamptz,
        CONSTRAINT shares_range CHECK (to_ms > from_ms)
      )`);
    await queryRunner.query(`CREATE INDEX shares_recording_idx ON shares (recording_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE shares`);
  }
}
