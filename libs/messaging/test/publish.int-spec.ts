import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/nats-core';
import { HEADERS, streamName } from '@sessionrec/contracts';
import {
  connectTestNats,
  deleteNamespaceStreams,
  readStream,
  uniqueTestName,
} from '@sessionrec/testing';
import {
  Messaging,
  MessagingConnection,
  MessagingUnavailableError,
  resolveOptions,
  SchemaValidationError,
} from '../src';
import { segmentStored, testOptions } from './fixtures';

jest.setTimeout(60_000);

describe('Messaging.publish', () => {
  const ns = uniqueTestName('messaging-publish');
  let nc: NatsConnection;
  let connection: MessagingConnection;
  let messaging: Messaging;

  beforeAll(async () => {
    nc = await connectTestNats();
    connection = new MessagingConnection(resolveOptions(testOptions(ns)));
    messaging = new Messaging(connection);
    await messaging.ensureStreams();
  });

  afterAll(async () => {
    await connection.close();
    await deleteNamespaceStreams(nc, ns);
    await nc.close();
  });

  it('stores a validated message with its id, type and version headers', async () => {
    const payload = segmentStored(1);
    const ack = await messaging.publish('segment.stored', payload);
    expect(ack).toEqual({ stream: streamName(ns, 'SEGMENTS'), seq: 1, duplicate: false });

    const [stored] = await readStream(nc, ns, 'SEGMENTS');
    expect(stored?.subject).toBe(`${ns}.segment.stored`);
    expect(stored?.header.get(HEADERS.messageId)).toBe(`segment:${payload.recordingId}:1`);
    expect(stored?.header.get(HEADERS.messageType)).toBe('segment.stored');
    expect(stored?.header.get(HEADERS.schemaVersion)).toBe('1');
    expect(stored?.json()).toEqual(payload);
  });

  it('stores a duplicate publish (same message id) once', async () => {
    const payload = segmentStored(7);
    const first = await messaging.publish('segment.stored', payload);
    const again = await messaging.publish('segment.stored', payload);
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ ...first, duplicate: true });

    const explicit = await messaging.publish('segment.stored', segmentStored(8), {
      messageId: 'fixed-id',
    });
    const explicitAgain = await messaging.publish('segment.stored', segmentStored(9), {
      messageId: 'fixed-id',
    });
    expect(explicitAgain).toEqual({ ...explicit, duplicate: true });

    const ids = (await readStream(nc, ns, 'SEGMENTS')).map((m) => m.header.get(HEADERS.messageId));
    expect(ids.filter((id) => id === `segment:${payload.recordingId}:7`)).toHaveLength(1);
    expect(ids.filter((id) => id === 'fixed-id')).toHaveLength(1);
  });

  it('routes subjects from the payload and keeps extra headers', async () => {
    const ack = await messaging.publish(
      'event',
      {
        v: 1,
        eventId: randomUUID(),
        sessionId: randomUUID(),
        agentId: randomUUID(),
        type: 'usb.insert',
        at: new Date().toISOString(),
        offsetMs: 1000,
      },
      { headers: { 'X-Request-Id': 'r-1' } },
    );
    expect(ack).toMatchObject({ stream: streamName(ns, 'EVENTS'), duplicate: false });
    const [stored] = await readStream(nc, ns, 'EVENTS');
    expect(stored?.subject).toBe(`${ns}.event.usb.insert`);
    expect(stored?.header.get('X-Request-Id')).toBe('r-1');
  });

  it('rejects an invalid payload before publishing, listing the zod issues', async () => {
    const before = (await readStream(nc, ns, 'SEGMENTS')).length;
    const bad = { ...segmentStored(2), sha256: 'not-a-hash', seq: -1 };
    const err = await messaging.publish('segment.stored', bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaValidationError);
    const issues = (err as SchemaValidationError).issues.map((i) => i.path.join('.'));
    expect(issues).toEqual(expect.arrayContaining(['sha256', 'seq']));
    expect(await readStream(nc, ns, 'SEGMENTS')).toHaveLength(before);
  });

  it('stores, in call order, publishes made over many loop turns while the write gate is shut', async () => {
    // A long interval holds the gate shut after its first opening, so the next publishes,
    // made one per loop turn, wait together and leave in one write.
    const slow = new MessagingConnection(
      resolveOptions(testOptions(ns, { publishWriteIntervalMs: 250 })),
    );
    try {
      const gated = new Messaging(slow);
      const recordingId = randomUUID();
      await gated.publish('segment.stored', segmentStored(0, recordingId));
      const acks: Promise<{ seq: number }>[] = [];
      for (let seq = 1; seq <= 20; seq++) {
        acks.push(gated.publish('segment.stored', segmentStored(seq, recordingId)));
        await new Promise((resolve) => setImmediate(resolve));
      }
      const seqs = (await Promise.all(acks)).map((ack) => ack.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(20);

      const stored = (await readStream(nc, ns, 'SEGMENTS'))
        .map((m) => m.json<{ recordingId: string; seq: number }>())
        .filter((m) => m.recordingId === recordingId)
        .map((m) => m.seq);
      expect(stored).toEqual(Array.from({ length: 21 }, (_, i) => i));
    } finally {
      await slow.close();
    }
  });

  it('rejects headers that would steer JetStream', async () => {
    await expect(
      messaging.publish('segment.stored', segmentStored(3), {
        headers: { 'Nats-Expected-Stream': 'x' },
      }),
    ).rejects.toThrow(RangeError);
  });

  it('reports ready, and answers MessagingUnavailableError when no stream takes the subject', async () => {
    expect(await connection.isReady()).toBe(true);
    const other = new MessagingConnection(
      resolveOptions(testOptions(uniqueTestName('no-streams'), { publishTimeoutMs: 1000 })),
    );
    try {
      const err = await new Messaging(other)
        .publish('segment.stored', segmentStored(1))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MessagingUnavailableError);
    } finally {
      await other.close();
    }
  });

  it('answers MessagingUnavailableError once the connection is closed', async () => {
    const c = new MessagingConnection(resolveOptions(testOptions(ns)));
    const m = new Messaging(c);
    await m.publish('segment.stored', segmentStored(1));
    await c.close();
    expect(await c.isReady()).toBe(false);
    await expect(m.publish('segment.stored', segmentStored(4))).rejects.toBeInstanceOf(
      MessagingUnavailableError,
    );
  });

  it('answers MessagingUnavailableError, without credentials, when NATS cannot be reached', async () => {
    const c = new MessagingConnection(
      resolveOptions(testOptions(ns, { url: 'nats://svc:s3cret@127.0.0.1:1' })),
    );
    const err = await new Messaging(c)
      .publish('segment.stored', segmentStored(1))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MessagingUnavailableError);
    expect((err as Error).message).toContain('nats://***@127.0.0.1:1');
    expect((err as Error).message).not.toContain('s3cret');
    expect(await c.isReady()).toBe(false);
    await c.close();
  });
});
