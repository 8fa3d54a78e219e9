/**
 * NATS helpers for integration tests: a connection to the test server, a look at what a
 * stream holds, and clean-up of every stream a suite's namespace created.
 */
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { JetStreamApiError, jetstreamManager, type StoredMsg } from '@nats-io/jetstream';

/** The test server; CI and developers run nats-server with JetStream on 4222. */
export function testNatsUrl(): string {
  return process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
}

export async function connectTestNats(name = 'sessionrec-test'): Promise<NatsConnection> {
  return connect({ servers: testNatsUrl(), name });
}

function streamPrefix(namespace: string): string {
  return `${namespace.toUpperCase().replace(/-/g, '_')}_`;
}

/** Deletes every stream named `${NAMESPACE}_*` (and with it its consumers). */
export async function deleteNamespaceStreams(
  nc: NatsConnection,
  namespace: string,
): Promise<string[]> {
  const jsm = await jetstreamManager(nc);
  const prefix = streamPrefix(namespace);
  const deleted: string[] = [];
  for await (const name of jsm.streams.names()) {
    if (!name.startsWith(prefix)) continue;
    await jsm.streams.delete(name);
    deleted.push(name);
  }
  return deleted;
}

/**
 * Every message stored in `${NAMESPACE}_${stream}`, oldest first. Small streams only:
 * one request per message.
 */
export async function readStream(
  nc: NatsConnection,
  namespace: string,
  stream: string,
): Promise<StoredMsg[]> {
  const jsm = await jetstreamManager(nc);
  const name = `${streamPrefix(namespace)}${stream}`;
  const { state } = await jsm.streams.info(name);
  const out: StoredMsg[] = [];
  if (state.messages === 0) return out;
  for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
    try {
      const m = await jsm.streams.getMessage(name, { seq });
      if (m) out.push(m);
    } catch (err) {
      if (!(err instanceof JetStreamApiError && err.code === 10037)) throw err;
    }
  }
  return out;
}

/** Polls `probe` until it returns true or `timeoutMs` passes; for waiting on consumers. */
export async function waitFor(
  probe: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
