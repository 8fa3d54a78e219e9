/** Valid payloads and test options shared by the messaging integration suites. */
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { MessageInput, RequestOf } from '@sessionrec/contracts';
import { testNatsUrl } from '@sessionrec/testing';
import type { MessagingOptions } from '../src';

export function segmentStored(
  seq: number,
  recordingId: string = randomUUID(),
): MessageInput<'segment.stored'> {
  return {
    v: 1,
    recordingId,
    sessionId: randomUUID(),
    agentId: randomUUID(),
    seq,
    kind: 'media',
    key: `recordings/2025/01/01/${recordingId}/${seq}.m4s`,
    size: 1024,
    sha256: 'a'.repeat(64),
    startMs: seq * 4000,
    endMs: seq * 4000 + 4000,
    storedAt: new Date().toISOString(),
  };
}

export function policyRequest(user = 'alice'): RequestOf<'policy.evaluate'> {
  return {
    v: 1,
    sessionId: randomUUID(),
    agentId: randomUUID(),
    user,
    groups: ['staff'],
    host: 'host-1',
    protocol: 'terminal',
    at: new Date().toISOString(),
  };
}

/** Small delays so redelivery tests finish quickly; correctness does not depend on them. */
export function testOptions(
  namespace: string,
  overrides: Partial<MessagingOptions> = {},
): MessagingOptions {
  return {
    url: testNatsUrl(),
    namespace,
    serviceName: 'testsvc',
    backoffMs: [20, 40, 80],
    ackWaitMs: 5_000,
    maxDeliver: 3,
    drainTimeoutMs: 5_000,
    publishTimeoutMs: 5_000,
    ...overrides,
  };
}

/** Nest logs only when asked (TEST_LOGS=1): failing-on-purpose handlers would flood output. */
export const nestLogger = process.env.TEST_LOGS ? undefined : (false as const);
if (!process.env.TEST_LOGS) Logger.overrideLogger(false);

export function deferred<T = void>(): {
  promise: Promise<T>;
  resolve: (v: T) => void;
} {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
