/** A one-time enrolment token; only its SHA-256 is stored, the token is shown once. */
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'enrol_tokens' })
export class EnrolToken {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'token_hash', type: 'text', unique: true })
  tokenHash!: string;

  @Column({ type: 'text', nullable: true })
  note!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @Column({ name: 'used_by_agent_id', type: 'uuid', nullable: true })
  usedByAgentId!: string | null;
}
