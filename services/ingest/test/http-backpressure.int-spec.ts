/**
 * Backpressure: when the object store stops answering, ingest answers 503 with
 * Retry-After (after its store timeout) instead of waiting without bound, refuses work
 * beyond its in-flight limit at once, and records or announces nothing it did not finish.
 * The store here is a TCP server that accepts connections and never replies: a hung S3.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { uniqueTestName } from '@sessionrec/testing';
import {
  type Agent,
  enrolAgent,
  type HttpIngest,
  postJson,
  putSegment,
  startHttpIngest,
  startSessionWithRecording,
  streamMessages,
} from './http-harness';

describe('ingest backpressure with a hung object store', () => {
  let blackHole: Server;
  const sockets = new Set<Socket>();
  let ingest: HttpIngest;
  let agent: Agent;

  beforeAll(async () => {
    blackHole = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const address = blackHole.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    ingest = await startHttpIngest(uniqueTestName('http_backpressure'), {
      S3_ENDPOINT: `http://127.0.0.1:${port}`,
      INGEST_STORE_TIMEOUT_MS: '800',
      INGEST_MAX_INFLIGHT: '1',
      INGEST_RETRY_AFTER_SECONDS: '7',
    });
    agent = await enrolAgent(ingest);
  });

  afterAll(async () => {
    await ingest.cleanup();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => blackHole.close(() => resolve()));
  });

  it('answers 503 with Retry-After when the store hangs, and refuses work beyond the in-flight limit', async () => {
    const { sessionId, recordingId } = await startSessionWithRecording(ingest, agent);
    const body = randomBytes(4000);
    const slow = putSegment(ingest, agent.auth, recordingId, { seq: 0, body });
    // Wait until the first upload holds the only in-flight slot (it is waiting on the store).
    while (sockets.size === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const refused = await putSegment(ingest, agent.auth, recordingId, { seq: 1, body });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('7');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    // One limit for the process: the lifecycle routes (Nest controllers) and the event
    // batches (a hot route, like segments) are refused while the segment holds the slot.
    const stop = await postJson(
      ingest,
      `/recordings/${recordingId}/stop`,
      { at: '2030-05-06T07:09:00.000Z', reason: 'session-end' },
      agent.auth,
    );
    expect(stop.status).toBe(503);
    const events = await postJson(
      ingest,
      `/sessions/${sessionId}/events`,
      { events: [] },
      agent.auth,
    );
    expect(events.status).toBe(503);

    const timedOut = await slow;
    expect(timedOut.status).toBe(503);
    expect(timedOut.headers.get('retry-after')).toBe('7');

    // Nothing was recorded or announced for either request.
    const { rows } = await ingest.pg.query(
      `SELECT seq FROM "${ingest.schema}".segments WHERE recording_id = $1`,
      [recordingId],
    );
    expect(rows).toEqual([]);
    const announced = (await streamMessages(ingest, 'SEGMENTS')).filter(
      (m) => m.data.recordingId === recordingId,
    );
    expect(announced).toEqual([]);
  });
});
