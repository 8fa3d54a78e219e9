/**
 * Searchable terminal output (issue 6): the printable text of each asciicast segment, cut
 * into chunks of lines, with full-text and trigram indexes like events' search text, and
 * one row per segment saying what was indexed (so a redelivered segment is not read again).
 * Times are the recording's (the asciicast clock): a query adds the recording's origin,
 * the start of its first segment, to get session offsets.
 */
import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CatalogTerminalText1796200000000 implements MigrationInterface {
  readonly name = 'CatalogTerminalText1796200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE terminal_segments (
        recording_id uuid NOT NULL,
        seq integer NOT NULL,
        session_id uuid NOT NULL,
        lines integer NOT NULL,
        chars integer NOT NULL,
        skipped_lines integer NOT NULL,
        truncated boolean NOT NULL,
        indexed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (recording_id, seq)
      )`);
    await queryRunner.query(`
      CREATE TABLE terminal_text (
        recording_id uuid NOT NULL,
        seq integer NOT NULL,
        chunk integer NOT NULL,
        session_id uuid NOT NULL,
        start_ms bigint NOT NULL,
        line_ms bigint[] NOT NULL,
        text text NOT NULL,
        text_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, text)) STORED,
        PRIMARY KEY (recording_id, seq, chunk)
      )`);
    await queryRunner.query(
      `CREATE INDEX terminal_text_session_idx ON terminal_text (session_id, recording_id, start_ms)`,
    );
    await queryRunner.query(
      `CREATE INDEX terminal_text_tsv_idx ON terminal_text USING gin (text_tsv)`,
    );
    await queryRunner.query(
      `CREATE INDEX terminal_text_trgm_idx ON terminal_text USING gin (text public.gin_trgm_ops)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS terminal_text`);
    await queryRunner.query(`DROP TABLE IF EXISTS terminal_segments`);
  }
}
