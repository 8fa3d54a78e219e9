/**
 * Recording policy versions (issue 7): every change inserts an immutable version; the
 * `active_policies` row points at the one in force. Unqualified names: the search_path
 * is the owner's schema.
 */
import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class PolicyRecordingPolicy1796100000000 implements MigrationInterface {
  readonly name = 'PolicyRecordingPolicy1796100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE policies (
        id uuid PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('recording')),
        version integer NOT NULL CHECK (version > 0),
        document jsonb NOT NULL,
        created_by text NOT NULL,
        created_by_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        comment text,
        UNIQUE (kind, version)
      )`);
    await queryRunner.query(`
      CREATE TABLE active_policies (
        kind text PRIMARY KEY CHECK (kind IN ('recording')),
        version integer,
        FOREIGN KEY (kind, version) REFERENCES policies (kind, version)
      )`);
    await queryRunner.query(
      `INSERT INTO active_policies (kind, version) VALUES ('recording', NULL)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE active_policies`);
    await queryRunner.query(`DROP TABLE policies`);
  }
}
