/**
 * Search indexes that answer "does this session have a match" without reading the
 * session's rows (issue 6, search p95):
 * - the full-text and trigram GIN indexes of events and terminal output gain a first
 *   column `ARRAY[session_id]` (built-in `array_ops`, no extension): a probe
 *   `ARRAY[e.session_id] @> ARRAY[s.session_id] AND e.search_tsv @@ q` intersects the
 *   session's entry with the word's in the index. Through `(session_id, ...)` btrees a
 *   probe reads every row of the session (hundreds for a long one) to find none. They
 *   replace the single-column indexes: a GIN index answers a condition on any one of its
 *   columns as well, so text-only searches keep their plans and writes add no index.
 * - a GiST index on the period a session is active, for "active in [from, to]" (the
 *   btree on started_at reads every session started before `to`). The upper bound is never
 *   below the start, so a session whose end (indexer clock) precedes its start (agent
 *   clock) cannot fail a write; the query keeps the exact conditions beside it.
 */
import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The expression of `sessions_active_idx`; the indexer's search repeats it exactly
 * (services/indexer/src/queries/search-filter.ts) to use the index.
 */
const SESSION_ACTIVE_RANGE_SQL = `tstzrange(started_at,
  CASE WHEN ended_at IS NULL THEN 'infinity'::timestamptz ELSE greatest(started_at, ended_at) END,
  '[]')`;

export class CatalogSearchBySession1796300000000 implements MigrationInterface {
  readonly name = 'CatalogSearchBySession1796300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS events_tsv_idx`);
    await queryRunner.query(`DROP INDEX IF EXISTS events_trgm_idx`);
    await queryRunner.query(
      `CREATE INDEX events_session_tsv_idx ON events USING gin ((ARRAY[session_id]), search_tsv)`,
    );
    await queryRunner.query(
      `CREATE INDEX events_session_trgm_idx ON events
         USING gin ((ARRAY[session_id]), search_text public.gin_trgm_ops)`,
    );
    await queryRunner.query(`DROP INDEX IF EXISTS terminal_text_tsv_idx`);
    await queryRunner.query(`DROP INDEX IF EXISTS terminal_text_trgm_idx`);
    await queryRunner.query(
      `CREATE INDEX terminal_text_session_tsv_idx ON terminal_text
         USING gin ((ARRAY[session_id]), text_tsv)`,
    );
    await queryRunner.query(
      `CREATE INDEX terminal_text_session_trgm_idx ON terminal_text
         USING gin ((ARRAY[session_id]), text public.gin_trgm_ops)`,
    );
    await queryRunner.query(
      `CREATE INDEX sessions_active_idx ON sessions USING gist ((${SESSION_ACTIVE_RANGE_SQL}))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS sessions_active_idx`);
    await queryRunner.query(`DROP INDEX IF EXISTS terminal_text_session_trgm_idx`);
    await queryRunner.query(`DROP INDEX IF EXISTS terminal_text_session_tsv_idx`);
    await queryRunner.query(
      `CREATE INDEX terminal_text_trgm_idx ON terminal_text USING gin (text public.gin_trgm_ops)`,
    );
    await queryRunner.query(
      `CREATE INDEX terminal_text_tsv_idx ON terminal_text USING gin (text_tsv)`,
    );
    await queryRunner.query(`DROP INDEX IF EXISTS events_session_trgm_idx`);
    await queryRunner.query(`DROP INDEX IF EXISTS events_session_tsv_idx`);
    await queryRunner.query(
      `CREATE INDEX events_trgm_idx ON events USING gin (search_text public.gin_trgm_ops)`,
    );
    await queryRunner.query(`CREATE INDEX events_tsv_idx ON events USING gin (search_tsv)`);
  }
}
