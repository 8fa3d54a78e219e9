/**
 * The tables behind the agent protocol (issue 5): enrolment tokens, agents and their
 * credential hashes, and what ingest accepted from them (sessions, recordings, segments,
 * sequence gaps). Unqualified names: the connection's search_path is the owner's schema.
 */
import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class IngestAgentProtocol1795600000000 implements MigrationInterface {
  readonly name = 'IngestAgentProtocol1795600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE enrol_tokens (
        id uuid PRIMARY KEY,
        token_hash text NOT NULL UNIQUE,
        note text,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        used_by_agent_id uuid
      )`);
    await queryRunner.query(`
      CREATE TABLE agents (
        id uuid PRIMARY KEY,
        credential_hash text NOT NULL,
        hostname text NOT NULL,
        os text NOT NULL,
        agent_version text NOT NULL,
        enrol_token_id uuid NOT NULL REFERENCES enrol_tokens (id),
        enrolled_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        revoked_by text,
        revoke_reason text
      )`);
    await queryRunner.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY,
        agent_id uuid NOT NULL REFERENCES agents (id),
        user_name text NOT NULL,
        host text NOT NULL,
        protocol text NOT NULL,
        client_address text,
        groups jsonb NOT NULL DEFAULT '[]',
        started_at timestamptz NOT NULL,
        ended_at timestamptz,
        end_reason text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX sessions_agent_idx ON sessions (agent_id)`);
    await queryRunner.query(`
      CREATE TABLE recordings (
        id uuid PRIMARY KEY,
        session_id uuid NOT NULL REFERENCES sessions (id),
        agent_id uuid NOT NULL REFERENCES agents (id),
        kind text NOT NULL,
        started_at timestamptz NOT NULL,
        start_reason text NOT NULL,
        rule_id text,
        policy_version integer,
        actor text,
        stopped_at timestamptz,
        stop_reason text,
        stop_actor text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX recordings_session_idx ON recordings (session_id)`);
    await queryRunner.query(`
      CREATE TABLE segments (
        recording_id uuid NOT NULL REFERENCES recordings (id),
        seq integer NOT NULL,
        kind text NOT NULL,
        sha256 text NOT NULL,
        prev_sha256 text,
        size integer NOT NULL,
        key text NOT NULL,
        start_ms bigint NOT NULL,
        end_ms bigint NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (recording_id, seq)
      )`);
    await queryRunner.query(`
      CREATE TABLE segment_gaps (
        recording_id uuid NOT NULL REFERENCES recordings (id),
        from_seq integer NOT NULL,
        to_seq integer NOT NULL,
        detected_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (recording_id, from_seq)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'segment_gaps',
      'segments',
      'recordings',
      'sessions',
      'agents',
      'enrol_tokens',
    ]) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
