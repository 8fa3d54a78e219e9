/**
 * Issue 7: the versioned policy tables hold every policy kind (recording, detection,
 * responses, viewing), and the response engine keeps its state here so that a restart or
 * a redelivered event neither loses a count nor sends a request twice:
 *
 * - response_sessions: who and where each session is (from session.started), for rules
 *   scoped to users, groups and hosts;
 * - response_hits: matching events per (rule, session or user) inside the rule's window;
 * - response_throttle: when each (rule, session or user, action) last asked;
 * - response_processed_events: events already evaluated (a redelivery evaluates nothing);
 * - response_requests: the outbox of requests decided with the event, published after the
 *   transaction commits and marked when JetStream has them.
 */
import { type MigrationInterface, type QueryRunner } from 'typeorm';

const KINDS = `('recording', 'detection', 'responses', 'viewing')`;

export class PolicyKindsAndResponses1796300000000 implements MigrationInterface {
  readonly name = 'PolicyKindsAndResponses1796300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE policies DROP CONSTRAINT policies_kind_check`);
    await queryRunner.query(
      `ALTER TABLE policies ADD CONSTRAINT policies_kind_check CHECK (kind IN ${KINDS})`,
    );
    await queryRunner.query(
      `ALTER TABLE active_policies DROP CONSTRAINT active_policies_kind_check`,
    );
    await queryRunner.query(
      `ALTER TABLE active_policies ADD CONSTRAINT active_policies_kind_check CHECK (kind IN ${KINDS})`,
    );
    await queryRunner.query(
      `INSERT INTO active_policies (kind, version)
       VALUES ('detection', NULL), ('responses', NULL), ('viewing', NULL)`,
    );
    await queryRunner.query(`
      CREATE TABLE response_sessions (
        session_id uuid PRIMARY KEY,
        agent_id uuid NOT NULL,
        user_name text NOT NULL,
        groups text[] NOT NULL,
        host text NOT NULL,
        started_at timestamptz NOT NULL,
        ended_at timestamptz
      )`);
    await queryRunner.query(`
      CREATE TABLE response_hits (
        rule_id text NOT NULL,
        scope_key text NOT NULL,
        event_id uuid NOT NULL,
        at timestamptz NOT NULL,
        PRIMARY KEY (rule_id, scope_key, event_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX response_hits_window ON response_hits (rule_id, scope_key, at)`,
    );
    await queryRunner.query(`CREATE INDEX response_hits_age ON response_hits (at)`);
    await queryRunner.query(`
      CREATE TABLE response_throttle (
        rule_id text NOT NULL,
        scope_key text NOT NULL,
        action text NOT NULL,
        last_at timestamptz NOT NULL,
        PRIMARY KEY (rule_id, scope_key, action)
      )`);
    await queryRunner.query(`CREATE INDEX response_throttle_age ON response_throttle (last_at)`);
    await queryRunner.query(`
      CREATE TABLE response_processed_events (
        event_id uuid PRIMARY KEY,
        processed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX response_processed_age ON response_processed_events (processed_at)`,
    );
    await queryRunner.query(`
      CREATE TABLE response_requests (
        response_id uuid PRIMARY KEY,
        event_id uuid NOT NULL,
        rule_id text NOT NULL,
        position integer NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      )`);
    await queryRunner.query(
      `CREATE INDEX response_requests_unpublished ON response_requests (event_id)
        WHERE published_at IS NULL`,
    );
    await queryRunner.query(`CREATE INDEX response_requests_age ON response_requests (created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE response_requests`);
    await queryRunner.query(`DROP TABLE response_processed_events`);
    await queryRunner.query(`DROP TABLE response_throttle`);
    await queryRunner.query(`DROP TABLE response_hits`);
    await queryRunner.query(`DROP TABLE response_sessions`);
    await queryRunner.query(`DELETE FROM active_policies WHERE kind <> 'recording'`);
    await queryRunner.query(`DELETE FROM policies WHERE kind <> 'recording'`);
    await queryRunner.query(
      `ALTER TABLE active_policies DROP CONSTRAINT active_policies_kind_check`,
    );
    await queryRunner.query(
      `ALTER TABLE active_policies ADD CONSTRAINT active_policies_kind_check CHECK (kind IN ('recording'))`,
    );
    await queryRunner.query(`ALTER TABLE policies DROP CONSTRAINT policies_kind_check`);
    await queryRunner.query(
      `ALTER TABLE policies ADD CONSTRAINT policies_kind_check CHECK (kind IN ('recording'))`,
    );
  }
}
