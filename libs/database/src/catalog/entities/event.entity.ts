/**
 * Events with their important attributes in typed columns (application, window title,
 * command line, file path) plus the rest as `details`; `searchText` is what free-text
 * search reads (full-text and trigram indexes). Also applications used per session and
 * network-quality samples.
 */
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'events' })
export class CatalogEvent {
  @PrimaryColumn({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ name: 'recording_id', type: 'uuid', nullable: true })
  recordingId!: string | null;

  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ name: 'offset_ms', type: 'bigint' })
  offsetMs!: string;

  @Column({ type: 'text', nullable: true })
  app!: string | null;

  @Column({ type: 'text', nullable: true })
  title!: string | null;

  @Column({ name: 'command_line', type: 'text', nullable: true })
  commandLine!: string | null;

  @Column({ name: 'file_path', type: 'text', nullable: true })
  filePath!: string | null;

  @Column({ type: 'jsonb' })
  details!: Record<string, string | number | boolean | null>;

  @Column({ name: 'search_text', type: 'text' })
  searchText!: string;

  @Column({ name: 'search_tsv', type: 'tsvector', insert: false, update: false })
  searchTsv!: string;
}

@Entity({ name: 'session_apps' })
export class CatalogSessionApp {
  @PrimaryColumn({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @PrimaryColumn({ type: 'text' })
  name!: string;

  @Column({ name: 'first_seen_at', type: 'timestamptz' })
  firstSeenAt!: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz' })
  lastSeenAt!: Date;

  @Column({ name: 'event_count', type: 'integer' })
  eventCount!: number;
}

@Entity({ name: 'network_samples' })
export class CatalogNetworkSample {
  @PrimaryColumn({ name: 'sample_id', type: 'uuid' })
  sampleId!: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ name: 'offset_ms', type: 'bigint' })
  offsetMs!: string;

  @Column({ name: 'rtt_ms', type: 'double precision' })
  rttMs!: number;

  @Column({ name: 'jitter_ms', type: 'double precision' })
  jitterMs!: number;

  @Column({ type: 'integer' })
  retransmits!: number;

  @Column({ name: 'throughput_bps', type: 'double precision' })
  throughputBps!: number;
}
