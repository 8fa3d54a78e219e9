/**
 * Recordings, their segments (time range, object key, size, hash chain) and the sequence
 * gaps ingest reported. `kind` and `startReason` stay null while a recording is known only
 * from an early recording.stopped.
 */
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'recordings' })
export class CatalogRecording {
  @PrimaryColumn({ name: 'recording_id', type: 'uuid' })
  recordingId!: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ name: 'agent_id', type: 'uuid' })
  agentId!: string;

  @Column({ type: 'text', nullable: true })
  kind!: 'screen' | 'terminal' | null;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'start_reason', type: 'text', nullable: true })
  startReason!: string | null;

  @Column({ name: 'rule_id', type: 'text', nullable: true })
  ruleId!: string | null;

  @Column({ name: 'policy_version', type: 'integer', nullable: true })
  policyVersion!: number | null;

  @Column({ type: 'text', nullable: true })
  actor!: string | null;

  @Column({ name: 'stopped_at', type: 'timestamptz', nullable: true })
  stoppedAt!: Date | null;

  @Column({ name: 'stop_reason', type: 'text', nullable: true })
  stopReason!: string | null;

  @Column({ name: 'stop_actor', type: 'text', nullable: true })
  stopActor!: string | null;
}

@Entity({ name: 'segments' })
export class CatalogSegment {
  @PrimaryColumn({ name: 'recording_id', type: 'uuid' })
  recordingId!: string;

  @PrimaryColumn({ type: 'integer' })
  seq!: number;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ type: 'text' })
  kind!: 'init' | 'media' | 'cast';

  @Column({ type: 'text' })
  key!: string;

  @Column({ type: 'bigint' })
  size!: string;

  @Column({ type: 'text' })
  sha256!: string;

  @Column({ name: 'prev_sha256', type: 'text', nullable: true })
  prevSha256!: string | null;

  @Column({ name: 'start_ms', type: 'bigint' })
  startMs!: string;

  @Column({ name: 'end_ms', type: 'bigint' })
  endMs!: string;

  @Column({ name: 'stored_at', type: 'timestamptz' })
  storedAt!: Date;
}

@Entity({ name: 'segment_gaps' })
export class CatalogSegmentGap {
  @PrimaryColumn({ name: 'recording_id', type: 'uuid' })
  recordingId!: string;

  @PrimaryColumn({ name: 'from_seq', type: 'integer' })
  fromSeq!: number;

  @PrimaryColumn({ name: 'to_seq', type: 'integer' })
  toSeq!: number;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ name: 'detected_at', type: 'timestamptz' })
  detectedAt!: Date;
}
