/** A recording within a session; its start date fixes the object key prefix. */
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'recordings' })
export class IngestRecording {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ name: 'agent_id', type: 'uuid' })
  agentId!: string;

  @Column({ type: 'text' })
  kind!: 'screen' | 'terminal';

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'start_reason', type: 'text' })
  startReason!: string;

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

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
