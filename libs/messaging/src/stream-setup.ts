/**
 * Creates or updates the platform's streams at start-up so every service converges on
 * the same definitions from libs/contracts, however often it runs and whatever drift
 * it finds. Only settings nats-server 2.9 understands are sent.
 */
import {
  DiscardPolicy,
  JetStreamApiError,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { fullSubject, STREAMS, type StreamDefinition, streamName } from '@sessionrec/contracts';
import { ConfigConflictError } from './errors';

export interface StreamSetupOptions {
  namespace: string;
  duplicateWindowMs: number;
  replicas: number;
}

/** The settings we own on a stream; anything else on it is left as the server has it. */
export type DesiredStreamConfig = Pick<
  StreamConfig,
  | 'name'
  | 'description'
  | 'subjects'
  | 'storage'
  | 'retention'
  | 'max_age'
  | 'duplicate_window'
  | 'num_replicas'
  | 'discard'
>;

export type StreamSetupResult = Record<string, 'created' | 'updated' | 'unchanged'>;

const STREAM_NOT_FOUND = 10059;
const STREAM_NAME_IN_USE = 10058;

export function desiredStreamConfig(
  def: StreamDefinition,
  o: StreamSetupOptions,
): DesiredStreamConfig {
  return {
    name: streamName(o.namespace, def.name),
    description: def.description,
    subjects: def.subjects.map((s) => fullSubject(o.namespace, s)),
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    max_age: nanos(def.maxAgeSeconds * 1000),
    duplicate_window: nanos(Math.min(o.duplicateWindowMs, def.maxAgeSeconds * 1000)),
    num_replicas: o.replicas,
    discard: DiscardPolicy.Old,
  };
}

/** Names of the settings that differ between the server's stream and ours. */
export function streamDrift(actual: StreamConfig, desired: DesiredStreamConfig): string[] {
  const drift: string[] = [];
  const sameSubjects =
    [...actual.subjects].sort().join('\n') === [...desired.subjects].sort().join('\n');
  if (!sameSubjects) drift.push('subjects');
  for (const key of [
    'description',
    'storage',
    'retention',
    'max_age',
    'duplicate_window',
    'num_replicas',
    'discard',
  ] as const) {
    if ((actual[key] ?? '') !== (desired[key] ?? '')) drift.push(key);
  }
  return drift;
}

export async function ensureStreams(
  jsm: JetStreamManager,
  o: StreamSetupOptions,
  defs: readonly StreamDefinition[] = Object.values(STREAMS),
): Promise<StreamSetupResult> {
  const result: StreamSetupResult = {};
  for (const def of defs) {
    const desired = desiredStreamConfig(def, o);
    result[desired.name] = await ensureStream(jsm, desired);
  }
  return result;
}

async function ensureStream(
  jsm: JetStreamManager,
  desired: DesiredStreamConfig,
): Promise<'created' | 'updated' | 'unchanged'> {
  const existing = await streamConfig(jsm, desired.name);
  if (!existing) {
    try {
      await jsm.streams.add({ ...desired, subjects: [...desired.subjects] });
      return 'created';
    } catch (err) {
      // Another replica created it between our look-up and our create: converge by update.
      if (!(err instanceof JetStreamApiError && err.code === STREAM_NAME_IN_USE)) throw err;
    }
  }
  const actual = existing ?? (await streamConfig(jsm, desired.name));
  if (!actual) throw new Error(`stream ${desired.name} vanished during set-up`);
  const drift = streamDrift(actual, desired);
  if (drift.length === 0) return 'unchanged';
  const immutable = drift.filter((k) => k === 'storage' || k === 'retention');
  if (immutable.length > 0) {
    throw new ConfigConflictError(
      `stream ${desired.name} has ${immutable.join(', ')} that cannot be changed in place ` +
        `(${immutable.map((k) => `${actual[k]} instead of ${desired[k]}`).join(', ')}); ` +
        'recreate it or migrate its messages',
    );
  }
  const { name, storage: _s, retention: _r, ...update } = desired;
  await jsm.streams.update(name, { ...update, subjects: [...update.subjects] });
  return 'updated';
}

async function streamConfig(jsm: JetStreamManager, name: string): Promise<StreamConfig | null> {
  try {
    return (await jsm.streams.info(name)).config;
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === STREAM_NOT_FOUND) return null;
    throw err;
  }
}
