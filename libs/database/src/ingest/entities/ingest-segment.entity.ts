/**
 * A segment ingest stored and announced: a row exists only once the object is durable
 * and `segment.stored` was acknowledged by JetStream.
 */
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'segments' })
export class IngestSegment {
  @PrimaryColumn({ name: 'recording_id', type: 'uuid' })
  recordingId!: string;

  @PrimaryColumn({ type: 'integer' })
  seq!: number;

  @Column({ type: 'text' })
  kind!: 'init' | 'media' | 'cast';

  @Column({ type: 'text' })
  sha256!: string;

  @Column({ name: 'prev_sha256', type: 'text', nullable: true })
  prevSha256!: string | null;

  @Column({ type: 'integer' })
  size!: number;

  @Column({ type: 'text' })
  key!: string;

  @Column({ name: 'start_ms', type: 'bigint' })
  startMs!: string;

  @Column({ name: 'end_ms', type: 'bigint' })
  endMs!: string;

  @Column({ name: 'stored_at', type: 'timestamptz' })
  storedAt!: Date;
}

/** Sequences that had not arrived when a later one did: kept visible, never hidden. */
@Entity({ name: 'segment_gaps' })
export class IngestSegmentGap {
  @PrimaryColumn({ name: 'recording_id', type: 'uuid' })
  recordingId!: string;

  @PrimaryColumn({ name: 'from_seq', type: 'integer' })
  fromSeq!: number;

  @Column({ name: 'to_seq', type: 'integer' })
  toSeq!: number;

  @Column({ name: 'detected_at', type: 'timestamptz' })
  detectedAt!: Date;
}
