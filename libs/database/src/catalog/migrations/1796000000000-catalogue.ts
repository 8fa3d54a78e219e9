/**
 * The searchable catalogue (issue 6): agents and the host names they reported, sessions,
 * recordings, segments, gaps, events with their searchable text, applications used per
 * session and network samples. Unqualified names: the search_path is the owner's schema;
 * pg_trgm lives in `public` (one per database) so tests' schemas can be dropped freely.
 */
import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CatalogCatalogue1796000000000 implements MigrationInterface {
  readonly name = 'CatalogCatalogue1796000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public`);
    await queryRunner.query(`
      CREATE TABLE agents (
        agent_id uuid PRIMARY KEY,
        first_seen_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE agent_hosts (
        agent_id uuid NOT NULL,
        host text NOT NULL,
        first_seen_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        PRIMARY KEY (agent_id, host)
      )`);
    await queryRunner.query(`
      CREATE TABLE sessions (
        session_id uuid PRIMARY KEY,
        agent_id uuid NOT NULL,
        user_name text,
        groups text[] NOT NULL DEFAULT '{}',
        host text,
        client_address inet,
        protocol text,
        started_at timestamptz NOT NULL,
        start_seen boolean NOT NULL DEFAULT false,
        ended_at timestamptz,
        end_reason text,
        apps text[] NOT NULL DEFAULT '{}',
        event_types text[] NOT NULL DEFAULT '{}',
        last_activity_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX sessions_started_idx ON sessions (started_at DESC, session_id DESC)`,
    );
    await queryRunner.query(`CREATE INDEX sessions_user_idx ON sessions (lower(user_name))`);
    await queryRunner.query(`CREATE INDEX sessions_host_idx ON sessions (lower(host))`);
    await queryRunner.query(`CREATE INDEX sessions_groups_idx ON sessions USING gin (groups)`);
    await queryRunner.query(
      `CREATE INDEX sessions_event_types_idx ON sessions USING gin (event_types)`,
    );
    await queryRunner.query(
      `CREATE INDEX sessions_client_idx ON sessions USING gist (client_address inet_ops)`,
    );
    await queryRunner.query(
      `CREATE INDEX sessions_open_idx ON sessions (last_activity_at) WHERE ended_at IS NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE recordings (
        recording_id uuid PRIMARY KEY,
        session_id uuid NOT NULL,
        agent_id uuid NOT NULL,
        kind text,
        started_at timestamptz NOT NULL,
        start_reason text,
        rule_id text,
        policy_version integer,
        actor text,
        stopped_at timestamptz,
        stop_reason text,
        stop_actor text
      )`);
    await queryRunner.query(`CREATE INDEX recordings_session_idx ON recordings (session_id)`);
    await queryRunner.query(`
      CREATE TABLE segments (
        recording_id uuid NOT NULL,
        seq integer NOT NULL,
        session_id uuid NOT NULL,
        kind text NOT NULL,
        key text NOT NULL,
        size bigint NOT NULL,
        sha256 text NOT NULL,
        prev_sha256 text,
        start_ms bigint NOT NULL,
        end_ms bigint NOT NULL,
        stored_at timestamptz NOT NULL,
        PRIMARY KEY (recording_id, seq)
      )`);
    await queryRunner.query(`CREATE INDEX segments_session_idx ON segments (session_id)`);
    await queryRunner.query(`
      CREATE TABLE segment_gaps (
        recording_id uuid NOT NULL,
        from_seq integer NOT NULL,
        to_seq integer NOT NULL,
        session_id uuid NOT NULL,
        detected_at timestamptz NOT NULL,
        PRIMARY KEY (recording_id, from_seq, to_seq)
      )`);
    await queryRunner.query(`
      CREATE TABLE events (
        event_id uuid PRIMARY KEY,
        session_id uuid NOT NULL,
        recording_id uuid,
        type text NOT NULL,
        at timestamptz NOT NULL,
        offset_ms bigint NOT NULL,
        app text,
        title text,
        command_line text,
        file_path text,
        details jsonb NOT NULL DEFAULT '{}',
        search_text text NOT NULL DEFAULT '',
        search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED
      )`);
    await queryRunner.query(
      `CREATE INDEX events_session_idx ON events (session_id, offset_ms, event_id)`,
    );
    await queryRunner.query(`CREATE INDEX events_type_idx ON events (type, session_id)`);
    await queryRunner.query(`CREATE INDEX events_tsv_idx ON events USING gin (search_tsv)`);
    await queryRunner.query(
      `CREATE INDEX events_trgm_idx ON events USING gin (search_text public.gin_trgm_ops)`,
    );
    await queryRunner.query(`
      CREATE TABLE session_apps (
        session_id uuid NOT NULL,
        name text NOT NULL,
        first_seen_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        event_count integer NOT NULL,
        PRIMARY KEY (session_id, name)
      )`);
    await queryRunner.query(
      `CREATE INDEX session_apps_name_idx ON session_apps (lower(name), session_id)`,
    );
    await queryRunner.query(`
      CREATE TABLE network_samples (
        sample_id uuid PRIMARY KEY,
        session_id uuid NOT NULL,
        at timestamptz NOT NULL,
        offset_ms bigint NOT NULL,
        rtt_ms double precision NOT NULL,
        jitter_ms double precision NOT NULL,
        retransmits integer NOT NULL,
        throughput_bps double precision NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX network_samples_session_idx ON network_samples (session_id, offset_ms, sample_id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'network_samples',
      'session_apps',
      'events',
      'segment_gaps',
      'segments',
      'recordings',
      'sessions',
      'agent_hosts',
      'agents',
    ]) {
      await queryRunner.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
