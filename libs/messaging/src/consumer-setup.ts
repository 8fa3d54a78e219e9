/**
 * Creates or updates one durable pull consumer per event handler at start-up. Its
 * settings come from the handler's decorator and the service options, so a redeploy
 * with new limits converges the consumer instead of failing on "already exists".
 */
import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  JetStreamApiError,
  type JetStreamManager,
  ReplayPolicy,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { ConfigConflictError, errorMessage } from './errors';

/** Deliveries kept beyond maxDeliver so a failed dead-letter publish can be retried. */
export const DEAD_LETTER_RETRY_DELIVERIES = 10;

const CONSUMER_NOT_FOUND = 10014;

export interface ConsumerSpec {
  stream: string;
  durable: string;
  /** Full filter subject (one filter: nats-server 2.9 has no multi-filter consumers). */
  filterSubject: string;
  ackWaitMs: number;
  maxDeliver: number;
  maxInFlight: number;
  description: string;
}

export type DesiredConsumerConfig = Pick<
  ConsumerConfig,
  | 'durable_name'
  | 'description'
  | 'filter_subject'
  | 'ack_policy'
  | 'ack_wait'
  | 'max_deliver'
  | 'max_ack_pending'
  | 'deliver_policy'
  | 'replay_policy'
>;

export function desiredConsumerConfig(spec: ConsumerSpec): DesiredConsumerConfig {
  return {
    durable_name: spec.durable,
    description: spec.description,
    filter_subject: spec.filterSubject,
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(spec.ackWaitMs),
    max_deliver: spec.maxDeliver + DEAD_LETTER_RETRY_DELIVERIES,
    max_ack_pending: spec.maxInFlight,
    deliver_policy: DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
  };
}

export function consumerDrift(actual: ConsumerConfig, desired: DesiredConsumerConfig): string[] {
  return (Object.keys(desired) as (keyof DesiredConsumerConfig)[]).filter(
    (k) => (actual[k] ?? '') !== (desired[k] ?? ''),
  );
}

export async function ensureConsumer(
  jsm: JetStreamManager,
  spec: ConsumerSpec,
): Promise<'created' | 'updated' | 'unchanged'> {
  const desired = desiredConsumerConfig(spec);
  const actual = await consumerConfig(jsm, spec.stream, spec.durable);
  if (!actual) {
    await jsm.consumers.add(spec.stream, desired);
    return 'created';
  }
  const drift = consumerDrift(actual, desired);
  if (drift.length === 0) return 'unchanged';
  const fixed = drift.filter((k) => k === 'filter_subject' || k === 'deliver_policy');
  if (fixed.length > 0) {
    throw new ConfigConflictError(
      `consumer ${spec.stream}/${spec.durable} differs in ${fixed.join(', ')}, which ` +
        'nats-server 2.9 cannot change in place; give the handler a new durable name',
    );
  }
  try {
    await jsm.consumers.update(spec.stream, spec.durable, {
      description: desired.description,
      ack_wait: desired.ack_wait,
      max_deliver: desired.max_deliver,
      max_ack_pending: desired.max_ack_pending,
    });
  } catch (err) {
    throw new ConfigConflictError(
      `consumer ${spec.stream}/${spec.durable} could not be updated (${drift.join(', ')}): ` +
        errorMessage(err),
      { cause: err },
    );
  }
  return 'updated';
}

async function consumerConfig(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
): Promise<ConsumerConfig | null> {
  try {
    return (await jsm.consumers.info(stream, durable)).config;
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === CONSUMER_NOT_FOUND) return null;
    throw err;
  }
}
