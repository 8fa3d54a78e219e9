/**
 * A per-session summary of the words in its events' searchable text (issue 6, search p95),
 * so a broad free-text search rules out a session by reading one row instead of its events.
 * `session_words(session_id, words)`: the distinct words (split at whitespace) of the
 * session's `events.search_text`, lowercased, joined by one space. A text that contains a
 * string without whitespace contains it within one of its words, so a session whose summary
 * lacks a whitespace-free part of the searched text has no event with it. `words` NULL means
 * unknown (the summary outgrew its size limit): such a session is searched through its events
 * as before, and so is a session without a row (those indexed before this migration). The
 * event writer creates a row only for a session that has no events yet, so a row always
 * covers every event of its session.
 */
import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CatalogSessionWords1796400000000 implements MigrationInterface {
  readonly name = 'CatalogSessionWords1796400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE session_words (
        session_id uuid PRIMARY KEY,
        words text
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS session_words`);
  }
}
