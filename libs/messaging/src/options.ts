/**
 * Messaging options: a plain object the service builds from its own configuration,
 * checked once here so every later use can trust it. All problems are reported in one
 * error, and credentials never appear in it.
 */
import { assertNamespace } from '@sessionrec/contracts';
import { z } from 'zod';
import { DEFAULT_BACKOFF_MS } from './backoff';
import { MessagingConfigError, summariseIssues } from './errors';

export interface MessagingOptions {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222`. */
  url: string | string[];
  /** Subject and stream prefix of this deployment (`sessionrec`; tests use their own). */
  namespace: string;
  /** Connection name, consumer name prefix and request queue group. */
  serviceName: string;
  /** JetStream de-duplication window of the streams (default 2 minutes). */
  duplicateWindowMs?: number;
  /** Stream replicas: 1 for a single server, 3 in a cluster (default 1). */
  replicas?: number;
  /** How long a delivered message may stay unacknowledged before redelivery (default 30 s). */
  ackWaitMs?: number;
  /** Deliveries before a failing message is dead-lettered (default 5). */
  maxDeliver?: number;
  /** Handlers running at once per consumer, and the consumer's max_ack_pending (default 64). */
  maxInFlight?: number;
  /** Delay before redelivery after the n-th failed delivery (default 1 s, 2 s, 4 s ... 60 s). */
  backoffMs?: number[];
  /** How long publish waits for the JetStream acknowledgement (default 5 s). */
  publishTimeoutMs?: number;
  /**
   * Least time between two writes of publishes to NATS (default 2 ms; 0 writes every
   * event-loop turn). An idle publisher still sends at once; see WriteGate.
   */
  publishWriteIntervalMs?: number;
  /** How long shutdown waits for running handlers before naking them (default 10 s). */
  drainTimeoutMs?: number;
  /** Create or update the streams when the module starts (default true). */
  ensureStreamsOnStart?: boolean;
  user?: string;
  pass?: string;
  token?: string;
}

export interface ResolvedMessagingOptions {
  readonly servers: readonly string[];
  readonly namespace: string;
  readonly serviceName: string;
  readonly duplicateWindowMs: number;
  readonly replicas: number;
  readonly ackWaitMs: number;
  readonly maxDeliver: number;
  readonly maxInFlight: number;
  readonly backoffMs: readonly number[];
  readonly publishTimeoutMs: number;
  readonly publishWriteIntervalMs: number;
  readonly drainTimeoutMs: number;
  readonly ensureStreamsOnStart: boolean;
  readonly user: string | undefined;
  readonly pass: string | undefined;
  readonly token: string | undefined;
}

const positiveMs = z.number().int().positive().max(86_400_000);

const schema = z.strictObject({
  url: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  namespace: z.string(),
  serviceName: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'use letters, digits, "_" or "-" (max 64)'),
  duplicateWindowMs: positiveMs.default(120_000),
  replicas: z.number().int().min(1).max(5).default(1),
  ackWaitMs: positiveMs.default(30_000),
  maxDeliver: z.number().int().min(1).max(1000).default(5),
  maxInFlight: z.number().int().min(1).max(10_000).default(64),
  backoffMs: z
    .array(z.number().int().nonnegative().max(86_400_000))
    .min(1)
    .default([...DEFAULT_BACKOFF_MS]),
  publishTimeoutMs: positiveMs.default(5_000),
  publishWriteIntervalMs: z.number().nonnegative().max(1_000).default(2),
  drainTimeoutMs: z.number().int().nonnegative().max(3_600_000).default(10_000),
  ensureStreamsOnStart: z.boolean().default(true),
  user: z.string().min(1).optional(),
  pass: z.string().min(1).optional(),
  token: z.string().min(1).optional(),
});

export function resolveOptions(options: MessagingOptions): ResolvedMessagingOptions {
  const parsed = schema.safeParse(options);
  const problems: string[] = [];
  if (!parsed.success) problems.push(summariseIssues(parsed.error.issues));
  try {
    assertNamespace(options.namespace);
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (!parsed.success || problems.length > 0) {
    throw new MessagingConfigError(`Invalid messaging options: ${problems.join('; ')}`);
  }
  const { url, user, pass, token, ...rest } = parsed.data;
  const servers = typeof url === 'string' ? url.split(',').map((u) => u.trim()) : url;
  return { ...rest, servers, user, pass, token };
}

/** A server URL with any embedded credentials removed, for logs and errors. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
