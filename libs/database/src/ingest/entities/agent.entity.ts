/** An enrolled session-host agent; its credential is stored as a SHA-256 hash only. */
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'agents' })
export class Agent {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'credential_hash', type: 'text' })
  credentialHash!: string;

  @Column({ type: 'text' })
  hostname!: string;

  @Column({ type: 'text' })
  os!: string;

  @Column({ name: 'agent_version', type: 'text' })
  agentVersion!: string;

  @Column({ name: 'enrol_token_id', type: 'uuid' })
  enrolTokenId!: string;

  @Column({ name: 'enrolled_at', type: 'timestamptz' })
  enrolledAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'revoked_by', type: 'text', nullable: true })
  revokedBy!: string | null;

  @Column({ name: 'revoke_reason', type: 'text', nullable: true })
  revokeReason!: string | null;
}
