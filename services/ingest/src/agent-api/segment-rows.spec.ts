import type { NewSegment } from './records.repository';
import { type InsertSegmentRows, segmentRowKey, SegmentRowWriter } from './segment-rows';

const row = (seq: number, recordingId = 'A1B2C3D4-0000-4000-8000-000000000001'): NewSegment => ({
  recordingId,
  seq,
  kind: 'cast',
  sha256: 'a'.repeat(64),
  prevSha256: undefined,
  size: 1,
  key: `k/${seq}`,
  startMs: 0,
  endMs: 1,
});

/** A stand-in for the INSERT: remembers each statement's rows, answers when told to. */
function fakeTable(existing: string[] = []) {
  const stored = new Set(existing);
  const statements: NewSegment[][] = [];
  const waiting: (() => void)[] = [];
  let failNext: Error | undefined;
  const insert: InsertSegmentRows = (rows) => {
    statements.push([...rows]);
    return new Promise((resolve, reject) => {
      waiting.push(() => {
        if (failNext) {
          const error = failNext;
          failNext = undefined;
          reject(error);
          return;
        }
        const created = new Set<string>();
        for (const r of rows) {
          const key = segmentRowKey(r.recordingId, r.seq);
          if (!stored.has(key)) created.add(key);
          stored.add(key);
        }
        resolve(created);
      });
    });
  };
  return {
    insert,
    statements,
    failNext: (error: Error) => (failNext = error),
    /** Lets the oldest statement finish. */
    answer: async () => {
      waiting.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

describe('SegmentRowWriter', () => {
  it('sends a row at once when idle, and the rows asked for meanwhile in one statement', async () => {
    const table = fakeTable();
    const writer = new SegmentRowWriter(table.insert, 500, 1);
    const first = writer.insert(row(0));
    const rest = [1, 2, 3].map((seq) => writer.insert(row(seq)));
    expect(table.statements.map((s) => s.map((r) => r.seq))).toEqual([[0]]);
    await table.answer();
    expect(await first).toBe(true);
    expect(table.statements.map((s) => s.map((r) => r.seq))).toEqual([[0], [1, 2, 3]]);
    await table.answer();
    expect(await Promise.all(rest)).toEqual([true, true, true]);
  });

  it('tells each caller whether its own row was new, also for the same key twice in a batch', async () => {
    const table = fakeTable([segmentRowKey(row(1).recordingId, 1)]);
    const writer = new SegmentRowWriter(table.insert, 500, 1);
    const blocker = writer.insert(row(0));
    const again = writer.insert(row(1));
    const twiceA = writer.insert(row(2));
    const twiceB = writer.insert(row(2));
    await table.answer();
    await table.answer();
    await blocker;
    // The second statement carried row 2 once.
    expect(table.statements[1]?.map((r) => r.seq)).toEqual([1, 2]);
    expect([await again, await twiceA, await twiceB]).toEqual([false, true, false]);
  });

  it('splits at maxRows and keeps at most maxInFlight statements running', async () => {
    const table = fakeTable();
    const writer = new SegmentRowWriter(table.insert, 2, 2);
    const all = [0, 1, 2, 3, 4, 5, 6].map((seq) => writer.insert(row(seq)));
    // Two statements started at once (one row each: the queue had one row at each call).
    expect(table.statements.map((s) => s.map((r) => r.seq))).toEqual([[0], [1]]);
    await table.answer();
    expect(table.statements.map((s) => s.map((r) => r.seq))).toEqual([[0], [1], [2, 3]]);
    for (let i = 0; i < 6; i++) await table.answer();
    expect(table.statements.map((s) => s.length)).toEqual([1, 1, 2, 2, 1]);
    expect(await Promise.all(all)).toEqual([true, true, true, true, true, true, true]);
  });

  it('fails every caller of a failed statement, and goes on with the next rows', async () => {
    const table = fakeTable();
    const writer = new SegmentRowWriter(table.insert, 500, 1);
    const blocker = writer.insert(row(0));
    const doomed = [writer.insert(row(1)), writer.insert(row(2))];
    await table.answer();
    await blocker;
    table.failNext(new Error('connection lost'));
    await table.answer();
    for (const p of doomed) await expect(p).rejects.toThrow('connection lost');
    const later = writer.insert(row(1));
    await table.answer();
    expect(await later).toBe(true);
  });
});
