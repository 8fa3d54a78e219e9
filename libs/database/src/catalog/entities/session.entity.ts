/**
 * Who and where: agents, the host names each reported, and sessions. A session row may
 * exist before its session.started arrived (a placeholder made by an early event or
 * segment); `startSeen` says whether the lifecycle message filled it in.
 */
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'agents' })
export class CatalogAgent {
  @PrimaryColumn({ name: 'agent_id', type: 'uuid' })
  agentId!: string;

  @Column({ name: 'first_seen_at', type: 'timestamptz' })
  firstSeenAt!: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz' })
  lastSeenAt!: Date;
}

@Entity({ name: 'agent_hosts' })
export class CatalogAgentHost {
  @PrimaryColumn({ name: 'agent_id', type: 'uuid' })
  agentId!: string;

  @PrimaryColumn({ type: 'text' })
  host!: string;

  @Column({ name: 'first_seen_at', type: 'timestamptz' })
  firstSeenAt!: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz' })
  lastSeenAt!: Date;
}

@Entity({ name: 'sessions' })
export class CatalogSession {
  @PrimaryColumn({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ name: 'agent_id', type: 'uuid' })
  agentId!: string;

  @Column({ name: 'user_name', type: 'text', nullable: true })
  userName!: string | null;

  @Column({ type: 'text', array: true })
  groups!: string[];

  @Column({ type: 'text', nullable: true })
  host!: string | null;

  @Column({ name: 'client_address', type: 'inet', nullable: true })
  clientAddress!: string | null;

  @Column({ type: 'text', nullable: true })
  protocol!: 'desktop' | 'terminal' | null;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'start_seen', type: 'boolean' })
  startSeen!: boolean;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @Column({ name: 'end_reason', type: 'text', nullable: true })
  endReason!: string | null;

  /** Applications seen in the session, as reported (for facets). */
  @Column({ type: 'text', array: true })
  apps!: string[];

  /** Event types seen in the session (for the event filter and facets). */
  @Column({ name: 'event_types', type: 'text', array: true })
  eventTypes!: string[];

  /** When the indexer last heard anything of this session: the silent-host sweep reads it. */
  @Column({ name: 'last_activity_at', type: 'timestamptz' })
  lastActivityAt!: Date;
}
