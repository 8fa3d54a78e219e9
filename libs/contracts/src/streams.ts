/**
 * JetStream stream definitions. Subjects are relative to the deployment namespace
 * (`sessionrec` by default; tests use their own so suites never share data): the
 * full subject is `${namespace}.${relative}` and the stream name is
 * `${NAMESPACE}_${name}`.
 */
export interface StreamDefinition {
  /** Stream name without the namespace prefix. */
  readonly name: string;
  /** Relative subject filters the stream captures. */
  readonly subjects: readonly string[];
  /** Oldest message kept, in seconds. The catalogue in PostgreSQL is the long-term record. */
  readonly maxAgeSeconds: number;
  readonly description: string;
}

const DAY = 24 * 60 * 60;

export const STREAMS = {
  SESSIONS: {
    name: 'SESSIONS',
    subjects: ['session.>'],
    maxAgeSeconds: 30 * DAY,
    description: 'Session and recording lifecycle: started, ended, recording started/stopped',
  },
  SEGMENTS: {
    name: 'SEGMENTS',
    subjects: ['segment.>'],
    maxAgeSeconds: 30 * DAY,
    description: 'Recording segments stored in the object store, and gaps',
  },
  EVENTS: {
    name: 'EVENTS',
    subjects: ['event.>'],
    maxAgeSeconds: 30 * DAY,
    description: 'Events detected on session hosts (the SIEM stream of host activity)',
  },
  METRICS: {
    name: 'METRICS',
    subjects: ['metric.>'],
    maxAgeSeconds: 7 * DAY,
    description: 'Network-quality samples of the user connection',
  },
  RESPONSES: {
    name: 'RESPONSES',
    subjects: ['response.>'],
    maxAgeSeconds: 30 * DAY,
    description: 'Response requests from rules and the results of commands sent to agents',
  },
  AUDIT: {
    name: 'AUDIT',
    subjects: ['audit.>'],
    maxAgeSeconds: 90 * DAY,
    description: 'Who did what: views, shares, exports, policy changes (the SIEM audit stream)',
  },
  CONTROL: {
    name: 'CONTROL',
    subjects: ['control.>'],
    maxAgeSeconds: 1 * DAY,
    description: 'Commands for agents, delivered over their control WebSocket',
  },
  DEADLETTER: {
    name: 'DEADLETTER',
    subjects: ['dlq.>'],
    maxAgeSeconds: 30 * DAY,
    description: 'Messages that could not be processed, with the reason in headers',
  },
} as const satisfies Record<string, StreamDefinition>;

export type StreamKey = keyof typeof STREAMS;

/** Relative prefix of dead-letter subjects: `dlq.<original relative subject>`. */
export const DEAD_LETTER_PREFIX = 'dlq';

/** Relative prefix of request/reply subjects; deliberately captured by no stream. */
export const RPC_PREFIX = 'rpc';
