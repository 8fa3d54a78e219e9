import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { IngestRequest, Outcome } from '../http/ingest-client';
import { Spool } from '../spool/spool';
import type { SpoolMeta } from '../spool/spool-item';
import { Uploader, type UploaderOptions } from './uploader';

/** An ingest stand-in that answers from a script and records what it was asked, in order. */
class ScriptedIngest {
  readonly log: string[] = [];
  readonly inFlight = new Set<string>();
  maxInFlight = 0;
  /** Requests under way at once, whatever their paths. */
  private running = 0;
  maxRunning = 0;
  constructor(private readonly answer: (request: IngestRequest, attempt: number) => Outcome) {}
  private attempts = new Map<string, number>();

  async send(request: IngestRequest): Promise<Outcome> {
    const attempt = (this.attempts.get(request.path) ?? 0) + 1;
    this.attempts.set(request.path, attempt);
    this.inFlight.add(request.path);
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight.size);
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    await new Promise((resolve) => setTimeout(resolve, 2));
    this.running -= 1;
    this.inFlight.delete(request.path);
    this.log.push(request.path);
    return this.answer(request, attempt);
  }
}

const ok: Outcome = { kind: 'ok', status: 201, body: null };

const item = (
  kind: SpoolMeta['kind'],
  lane: string,
  p: string,
  recordingId?: string,
): SpoolMeta => ({
  kind,
  lane,
  ...(recordingId ? { recordingId } : {}),
  method: kind === 'segment' ? 'PUT' : 'POST',
  path: p,
  headers: {},
  json: kind !== 'segment',
  count: 1,
  createdAt: new Date(0).toISOString(),
});

describe('Uploader', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'agent-upload-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function setup(ingest: ScriptedIngest, concurrency = 4) {
    const { spool } = await Spool.open({ dir, maxBytes: 1 << 20 });
    const uploader = new Uploader({
      client: ingest,
      spool,
      concurrency,
      backoff: { baseMs: 1, maxMs: 5 },
    });
    const put = async (meta: SpoolMeta) =>
      uploader.enqueue(await spool.put(meta, Buffer.from(meta.json ? '{}' : 'bytes')));
    return { spool, uploader, put };
  }

  it('keeps session order: barriers first and alone, segments of a recording in sequence', async () => {
    const ingest = new ScriptedIngest(() => ok);
    const { uploader, put, spool } = await setup(ingest, 8);
    await put(item('session-start', 's1', '/sessions#s1'));
    await put(item('recording-start', 's1', '/sessions/s1/recordings'));
    for (let seq = 0; seq < 4; seq += 1)
      await put(item('segment', 's1', `/recordings/r1/segments/${seq}`, 'r1'));
    await put(item('events', 's1', '/sessions/s1/events#1'));
    await put(item('recording-stop', 's1', '/recordings/r1/stop'));
    await put(item('session-end', 's1', '/sessions/s1/end'));
    await uploader.idle();
    const at = (p: string) => ingest.log.indexOf(p);
    expect(ingest.log).toHaveLength(9);
    expect(at('/sessions#s1')).toBe(0);
    expect(at('/sessions/s1/recordings')).toBe(1);
    for (let seq = 1; seq < 4; seq += 1) {
      expect(at(`/recordings/r1/segments/${seq}`)).toBeGreaterThan(
        at(`/recordings/r1/segments/${seq - 1}`),
      );
    }
    expect(at('/recordings/r1/stop')).toBe(7);
    expect(at('/sessions/s1/end')).toBe(8);
    expect(spool.bytes).toBe(0);
    expect(await readdir(path.join(dir, 'queue'))).toEqual([]);
    expect(uploader.stats.counts('segment')).toMatchObject({ spooled: 4, acked: 4 });
  });

  it('holds a barrier until the batches before it are acknowledged, and what follows until it is', async () => {
    const trace: string[] = [];
    const ingest = new ScriptedIngest(() => ok);
    const send = ingest.send.bind(ingest);
    ingest.send = async (request) => {
      trace.push(`start ${request.path}`);
      const outcome = await send(request);
      trace.push(`end ${request.path}`);
      return outcome;
    };
    const { uploader, spool } = await setup(ingest, 16);
    const items = [];
    for (const meta of [
      item('events', 's1', '/e1'),
      item('events', 's1', '/e2'),
      item('segment', 's1', '/r1/0', 'r1'),
      item('segment', 's1', '/r2/0', 'r2'),
      item('segment', 's1', '/r1/1', 'r1'),
      item('recording-stop', 's1', '/r1/stop'),
      item('events', 's1', '/e3'),
      item('events', 's2', '/other'),
    ]) {
      items.push(await spool.put(meta, Buffer.from(meta.json ? '{}' : 'bytes')));
    }
    for (const queued of items) uploader.enqueue(queued);
    await uploader.idle();
    const startOf = (p: string) => trace.indexOf(`start ${p}`);
    const endOf = (p: string) => trace.indexOf(`end ${p}`);
    // Batches and the first segment of each recording go together; another session too.
    expect(trace.slice(0, 5).sort()).toEqual(
      ['/e1', '/e2', '/other', '/r1/0', '/r2/0'].map((p) => `start ${p}`),
    );
    expect(startOf('/r1/1')).toBeGreaterThan(endOf('/r1/0'));
    for (const before of ['/e1', '/e2', '/r1/0', '/r2/0', '/r1/1']) {
      expect(endOf(before)).toBeLessThan(startOf('/r1/stop'));
    }
    expect(startOf('/e3')).toBeGreaterThan(endOf('/r1/stop'));
    expect(uploader.queued).toBe(0);
  });

  it('retries items in the order their backoff ends, whatever order they failed in', async () => {
    const delays: Record<string, number> = { '/slow': 60, '/fast': 5 };
    const ingest = new ScriptedIngest((request, attempt) =>
      attempt === 1
        ? { kind: 'retry', status: 503, retryAfterMs: delays[request.path]!, reason: 'busy' }
        : ok,
    );
    const { uploader, spool } = await setup(ingest, 4);
    const slow = await spool.put(item('events', 's1', '/slow'), Buffer.from('{}'));
    const fast = await spool.put(item('events', 's2', '/fast'), Buffer.from('{}'));
    uploader.enqueue(slow);
    uploader.enqueue(fast);
    await uploader.idle();
    expect(ingest.log.slice(2)).toEqual(['/fast', '/slow']);
    expect(uploader.stats.retries).toBe(2);
  });

  it('retries after 503 and network errors, honouring Retry-After, then removes the item', async () => {
    const ingest = new ScriptedIngest((request, attempt) => {
      if (request.path === '/a' && attempt === 1)
        return { kind: 'retry', status: 503, retryAfterMs: 30, reason: 'busy' };
      if (request.path === '/a' && attempt === 2)
        return { kind: 'retry', status: null, reason: 'ECONNREFUSED' };
      return ok;
    });
    const { uploader, put, spool } = await setup(ingest);
    const started = Date.now();
    await put(item('events', 's1', '/a'));
    await uploader.idle();
    expect(Date.now() - started).toBeGreaterThanOrEqual(30);
    expect(ingest.log).toEqual(['/a', '/a', '/a']);
    expect(uploader.stats.retries).toBe(2);
    expect(Object.fromEntries(uploader.stats.failures)).toEqual({ '503': 1, ECONNREFUSED: 1 });
    expect(spool.bytes).toBe(0);
  });

  it('drops an item ingest refuses for good, counting it, without blocking the rest', async () => {
    const ingest = new ScriptedIngest((request) =>
      request.path === '/bad'
        ? { kind: 'rejected', status: 409, code: 'segment-conflict', reason: 'different bytes' }
        : ok,
    );
    const refused: string[] = [];
    const { spool } = await Spool.open({ dir, maxBytes: 1 << 20 });
    const uploader = new Uploader({
      client: ingest,
      spool,
      concurrency: 2,
      onRejected: (i) => refused.push(i.meta.path),
    });
    uploader.enqueue(await spool.put(item('segment', 's1', '/bad', 'r1'), Buffer.from('x')));
    uploader.enqueue(await spool.put(item('segment', 's1', '/good', 'r1'), Buffer.from('y')));
    await uploader.idle();
    expect(refused).toEqual(['/bad']);
    expect(uploader.stats.counts('segment')).toMatchObject({ acked: 1, rejected: 1 });
    expect(spool.bytes).toBe(0);
  });

  it('never has more requests in flight than its concurrency', async () => {
    const ingest = new ScriptedIngest(() => ok);
    const { uploader, spool } = await setup(ingest, 3);
    // Spool everything first, then hand it over at once: the uploader alone decides how
    // many go out together (spooling one by one could be slower than ingest answers).
    const items = [];
    for (let i = 0; i < 20; i += 1) {
      const meta = item('events', `s${i % 5}`, `/e${i}`);
      items.push(await spool.put(meta, Buffer.from('{}')));
    }
    for (const queued of items) uploader.enqueue(queued);
    await uploader.idle();
    expect(ingest.log).toHaveLength(20);
    expect(ingest.maxInFlight).toBeLessThanOrEqual(3);
    expect(ingest.maxInFlight).toBeGreaterThan(1);
  });

  it('counts 200 on a segment as already stored', async () => {
    const ingest = new ScriptedIngest(() => ({ kind: 'ok', status: 200, body: null }));
    const { uploader, put } = await setup(ingest);
    await put(item('segment', 's1', '/recordings/r/segments/0', 'r'));
    await uploader.idle();
    expect(uploader.stats.counts('segment')).toMatchObject({ acked: 1, alreadyStored: 1 });
  });

  it('stops and keeps the spool when ingest refuses the credential', async () => {
    const ingest = new ScriptedIngest((request) =>
      request.path === '/second'
        ? { kind: 'rejected', status: 401, code: 'unauthorized', reason: 'agent revoked' }
        : ok,
    );
    const reasons: string[] = [];
    const { spool } = await Spool.open({ dir, maxBytes: 1 << 20 });
    const uploader = new Uploader({
      client: ingest,
      spool,
      concurrency: 1,
      onUnauthorized: (r) => reasons.push(r),
    });
    uploader.enqueue(await spool.put(item('events', 's1', '/first'), Buffer.from('{}')));
    uploader.enqueue(await spool.put(item('events', 's1', '/second'), Buffer.from('{}')));
    uploader.enqueue(await spool.put(item('events', 's1', '/third'), Buffer.from('{}')));
    await uploader.idle();
    expect(reasons).toEqual(['agent revoked']);
    expect(ingest.log).toEqual(['/first', '/second']);
    const reopened = await Spool.open({ dir, maxBytes: 1 << 20 });
    expect(reopened.recovered.map((i) => i.meta.path)).toEqual(['/second', '/third']);
  });

  describe('combined batches', () => {
    const sessionIds = Array.from(
      { length: 12 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    const batch = (i: number, kind: 'events' | 'metrics' = 'events'): SpoolMeta => ({
      ...item(kind, sessionIds[i]!, `/sessions/${sessionIds[i]!}/${kind}`),
      count: 2,
    });
    type Combined = { batches: { kind: string; sessionId: string; batch: { n: number } }[] };
    const decode = (request: IngestRequest): Combined =>
      JSON.parse(Buffer.from(request.jsonBody!).toString('utf8')) as Combined;
    const results = (request: IngestRequest, answer: (n: number) => object): Outcome => ({
      kind: 'ok',
      status: 200,
      body: { results: decode(request).batches.map((b) => answer(b.batch.n)) },
    });

    async function spoolAll(uploader: Uploader, spool: Spool, metas: SpoolMeta[]): Promise<void> {
      const items = [];
      for (const [n, meta] of metas.entries()) {
        items.push(await spool.put(meta, Buffer.from(JSON.stringify({ n }))));
      }
      for (const queued of items) uploader.enqueue(queued);
    }

    /** An uploader that combines at most `maxItems` batches, `maxInFlight` requests at once. */
    async function combining(
      ingest: ScriptedIngest,
      options: {
        concurrency: number;
        maxItems?: number;
        maxInFlight?: number;
      } & Partial<Pick<UploaderOptions, 'onRejected' | 'onUnauthorized' | 'backoff'>>,
    ): Promise<{ uploader: Uploader; spool: Spool }> {
      const { spool } = await Spool.open({ dir, maxBytes: 1 << 20 });
      const { maxItems = 8, maxInFlight = 1, ...rest } = options;
      const uploader = new Uploader({
        client: ingest,
        spool,
        ...rest,
        combine: { maxItems, maxBytes: 1 << 20, maxInFlight },
      });
      return { uploader, spool };
    }

    it('sends the batches that wait for a combined request together, each acknowledged and spooled out', async () => {
      const bodies: Combined[] = [];
      const ingest = new ScriptedIngest((request) => {
        expect(request.path).toBe('/batches');
        bodies.push(decode(request));
        return results(request, () => ({ status: 202, accepted: 2 }));
      });
      const { uploader, spool } = await combining(ingest, { concurrency: 8, maxItems: 4 });
      await spoolAll(
        uploader,
        spool,
        sessionIds.slice(0, 9).map((_, i) => batch(i, i % 3 === 0 ? 'metrics' : 'events')),
      );
      await uploader.idle();
      // The first goes at once; the rest fill requests of four, which need no free slot.
      expect(bodies.map((b) => b.batches.length)).toEqual([1, 4, 4]);
      expect(bodies.flatMap((b) => b.batches.map((x) => x.batch.n))).toEqual([
        0, 1, 2, 3, 4, 5, 6, 7, 8,
      ]);
      expect(bodies[1]?.batches[2]).toEqual({
        kind: 'metrics',
        sessionId: sessionIds[3],
        batch: { n: 3 },
      });
      expect(ingest.maxRunning).toBeGreaterThan(1);
      expect(uploader.stats.combinedRequests).toBe(3);
      expect(uploader.stats.counts('events')).toMatchObject({ acked: 6, ackedUnits: 12 });
      expect(uploader.stats.counts('metrics')).toMatchObject({ acked: 3 });
      expect(spool.bytes).toBe(0);
    });

    it('keeps a request short of full waiting for a free combined slot', async () => {
      const bodies: Combined[] = [];
      const ingest = new ScriptedIngest((request) => {
        bodies.push(decode(request));
        return results(request, () => ({ status: 202, accepted: 2 }));
      });
      const { uploader, spool } = await combining(ingest, { concurrency: 8 });
      await spoolAll(
        uploader,
        spool,
        [0, 1, 2, 3, 4].map((i) => batch(i)),
      );
      await uploader.idle();
      expect(bodies.map((b) => b.batches.length)).toEqual([1, 4]);
      expect(ingest.maxRunning).toBe(1);
    });

    it('retries, drops or keeps each batch by its own result', async () => {
      let calls = 0;
      const ingest = new ScriptedIngest((request) => {
        calls += 1;
        return results(request, (n) => {
          if (n === 1 && calls === 2)
            return { status: 503, error: { code: 'unavailable', message: 'x' } };
          if (n === 2) return { status: 403, error: { code: 'forbidden', message: 'not yours' } };
          return { status: 202, accepted: 2 };
        });
      });
      const refused: string[] = [];
      const { uploader, spool } = await combining(ingest, {
        concurrency: 4,
        backoff: { baseMs: 1, maxMs: 5 },
        onRejected: (i) => refused.push(i.meta.lane),
      });
      await spoolAll(uploader, spool, [batch(0), batch(1), batch(2), batch(3)]);
      await uploader.idle();
      expect(refused).toEqual([sessionIds[2]]);
      expect(uploader.stats.counts('events')).toMatchObject({ acked: 3, rejected: 1 });
      expect(uploader.stats.retries).toBe(1);
      expect(Object.fromEntries(uploader.stats.failures)).toEqual({
        '503': 1,
        '403 forbidden': 1,
      });
      expect(spool.bytes).toBe(0);
    });

    it('falls back to per-session requests when ingest does not know the route', async () => {
      const ingest = new ScriptedIngest((request) =>
        request.path === '/batches'
          ? { kind: 'rejected', status: 404, code: 'not_found', reason: 'no such route' }
          : { kind: 'ok', status: 202, body: { accepted: 2 } },
      );
      const { uploader, spool } = await setup(ingest, 4);
      await spoolAll(uploader, spool, [batch(0), batch(1), batch(2)]);
      await uploader.idle();
      const combinedTried = ingest.log.filter((p) => p === '/batches').length;
      expect(combinedTried).toBeGreaterThan(0);
      await spoolAll(uploader, spool, [batch(3)]);
      await uploader.idle();
      expect(ingest.log.filter((p) => p === '/batches')).toHaveLength(combinedTried);
      expect(ingest.log.at(-1)).toBe(`/sessions/${sessionIds[3]!}/events`);
      expect(ingest.log.filter((p) => p !== '/batches').sort()).toEqual(
        [0, 1, 2, 3].map((i) => `/sessions/${sessionIds[i]!}/events`).sort(),
      );
      expect(uploader.stats.counts('events')).toMatchObject({ acked: 4, rejected: 0 });
      expect(spool.bytes).toBe(0);
    });

    it('sends the batches waiting for a combined slot per session once the route is unknown', async () => {
      const ingest = new ScriptedIngest((request) =>
        request.path === '/batches'
          ? { kind: 'rejected', status: 405, code: 'method_not_allowed', reason: 'no' }
          : { kind: 'ok', status: 202, body: { accepted: 2 } },
      );
      const { uploader, spool } = await combining(ingest, { concurrency: 4 });
      await spoolAll(
        uploader,
        spool,
        [0, 1, 2, 3].map((i) => batch(i)),
      );
      await uploader.idle();
      expect(ingest.log.filter((p) => p === '/batches')).toHaveLength(1);
      expect(uploader.stats.counts('events')).toMatchObject({ acked: 4, rejected: 0 });
      expect(uploader.queued).toBe(0);
      expect(spool.bytes).toBe(0);
    });

    it('sends each batch of a combined request ingest refused whole on its own', async () => {
      const ingest = new ScriptedIngest((request) =>
        request.path === '/batches'
          ? { kind: 'rejected', status: 413, code: 'payload_too_large', reason: 'too large' }
          : { kind: 'ok', status: 202, body: { accepted: 2 } },
      );
      const { uploader, spool } = await setup(ingest, 1);
      await spoolAll(uploader, spool, [batch(0), batch(1)]);
      await uploader.idle();
      // Combining stays on for what comes later.
      expect(ingest.log).toEqual([
        '/batches',
        `/sessions/${sessionIds[0]!}/events`,
        '/batches',
        `/sessions/${sessionIds[1]!}/events`,
      ]);
      expect(uploader.stats.counts('events')).toMatchObject({ acked: 2 });
    });

    it('stops once on 401, keeping every batch of the request in the spool', async () => {
      const ingest = new ScriptedIngest(() => ({
        kind: 'rejected',
        status: 401,
        code: 'unauthorized',
        reason: 'agent revoked',
      }));
      const reasons: string[] = [];
      const { uploader, spool } = await combining(ingest, {
        concurrency: 2,
        onUnauthorized: (r) => reasons.push(r),
      });
      await spoolAll(uploader, spool, [batch(0), batch(1), batch(2)]);
      await uploader.idle();
      expect(reasons).toEqual(['agent revoked']);
      const reopened = await Spool.open({ dir, maxBytes: 1 << 20 });
      expect(reopened.recovered).toHaveLength(3);
    });
  });
});
