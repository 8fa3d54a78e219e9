/** The shapes the api answers with (docs/api.md); only what the console reads. */
export type Role = 'admin' | 'policy-admin' | 'investigator' | 'helpdesk' | 'auditor';

export interface User {
  id: string;
  username: string;
  roles: Role[];
}

export interface RecordingSummary {
  recordingId: string;
  kind: 'screen' | 'terminal';
  startedAt: string;
  stoppedAt?: string;
  reason: string | null;
}

/** An event that matched the search filters. */
export interface EventMatch {
  kind?: undefined;
  eventId: string;
  type: string;
  at: string;
  offsetMs: number;
  recordingId?: string;
  snippet?: string;
}

/** A line of terminal output that matched free text (not an event: no id, no type). */
export interface TerminalOutputMatch {
  kind: 'terminal-output';
  recordingId: string;
  at: string;
  offsetMs: number;
  snippet: string;
}

export type Match = EventMatch | TerminalOutputMatch;

export interface SessionSummary {
  sessionId: string;
  agentId: string;
  user: string | null;
  groups: string[];
  host: string | null;
  clientAddress?: string;
  protocol: string | null;
  startedAt: string;
  endedAt?: string;
  endReason?: string;
  /** When anything of the session last reached the catalogue (the host's last contact). */
  lastActivityAt?: string;
  recordings: RecordingSummary[];
}

export interface SearchResult extends SessionSummary {
  matches: Match[];
}

export interface FacetCount {
  value: string;
  count: number;
}

export interface SearchReply {
  sessions: SearchResult[];
  facets: {
    users: FacetCount[];
    hosts: FacetCount[];
    apps: FacetCount[];
    eventTypes: FacetCount[];
  };
  /** The facets count only this page (counting the whole result set took too long). */
  facetsPartial?: true;
  nextCursor: string | null;
}

export interface SessionDetail extends SessionSummary {
  counts: { events: number; segments: number; bytes: number };
}

export type Attributes = Record<string, string | number | boolean | null>;

export interface SessionEvent {
  eventId: string;
  type: string;
  at: string;
  offsetMs: number;
  recordingId?: string;
  attributes: Attributes;
}

export interface MetricSample {
  at: string;
  offsetMs: number;
  rttMs: number;
  jitterMs: number;
  retransmits: number;
  throughputBps: number;
}

export interface Segment {
  seq: number;
  startMs: number;
  endMs: number;
  size: number;
}

export interface RecordingDetail {
  recordingId: string;
  sessionId: string;
  kind: 'screen' | 'terminal';
  startedAt: string;
  stoppedAt?: string;
  live: boolean;
  /** The CMAF init segment of a screen recording, once stored. */
  init?: { key: string; size: number; sha256: string };
  segments: Segment[];
  nextAfterSeq?: number;
}

export interface Share {
  shareId: string;
  recordingId: string;
  fromMs: number;
  toMs: number;
  expiresAt: string;
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
  opens: number;
}

export interface CreatedShare extends Share {
  token: string;
  url: string;
}

/** What a share link reveals to someone who is not signed in: the clip, nothing more. */
export interface SharedClip {
  kind: 'screen' | 'terminal';
  fromMs: number;
  toMs: number;
  expiresAt: string;
}

/** GET /api/v1/sessions/{id}/commands/{commandId}: what became of a command sent to the agent. */
export interface CommandStatus {
  commandId: string;
  sessionId: string;
  action: string;
  issuedAt: string;
  issuedBy: string;
  status: 'sent' | 'acked' | 'failed' | 'timed-out';
  detail?: string;
  answeredAt?: string;
}
