import { Batcher } from './batcher';

describe('Batcher', () => {
  afterEach(() => jest.useRealTimers());

  it('writes a full batch at once and resolves every member after the write', async () => {
    const writes: number[][] = [];
    const batcher = new Batcher<number>(
      async (rows) => {
        await Promise.resolve();
        writes.push([...rows]);
      },
      { maxRows: 3, maxDelayMs: 60_000 },
    );
    await Promise.all([batcher.add(1), batcher.add(2), batcher.add(3)]);
    expect(writes).toEqual([[1, 2, 3]]);
    await batcher.drain();
  });

  it('writes a partial batch after the delay', async () => {
    jest.useFakeTimers();
    const write = jest.fn(() => Promise.resolve());
    const batcher = new Batcher<string>(write, { maxRows: 100, maxDelayMs: 50 });
    const added = batcher.add('a');
    expect(write).not.toHaveBeenCalled();
    jest.advanceTimersByTime(50);
    await added;
    expect(write).toHaveBeenCalledWith(['a']);
  });

  it('rejects every member of a failed batch and keeps working afterwards', async () => {
    let fail = true;
    const batcher = new Batcher<number>(
      (rows) => (fail ? Promise.reject(new Error(`boom ${rows.length}`)) : Promise.resolve()),
      { maxRows: 2, maxDelayMs: 60_000 },
    );
    const results = await Promise.allSettled([batcher.add(1), batcher.add(2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(Promise.all([batcher.add(3), batcher.add(4)])).resolves.toEqual([
      undefined,
      undefined,
    ]);
  });

  it('drain writes what waits and waits for writes in progress', async () => {
    const written: number[] = [];
    const batcher = new Batcher<number>(
      async (rows) => {
        await new Promise((r) => setTimeout(r, 5));
        written.push(...rows);
      },
      { maxRows: 10, maxDelayMs: 60_000 },
    );
    const added = batcher.add(7);
    await batcher.drain();
    expect(written).toEqual([7]);
    await added;
  });

  it('runs two writes of a lane at once, the next with what arrived meanwhile', async () => {
    const writes: string[][] = [];
    const releases: (() => void)[] = [];
    const batcher = new Batcher<string>(
      (rows) => {
        writes.push([...rows]);
        return new Promise<void>((r) => releases.push(r));
      },
      { maxRows: 2, maxDelayMs: 60_000 },
    );
    const added = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((row) => batcher.add(row));
    expect(writes).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    releases[0]!();
    await added[1];
    while (writes.length < 3) await new Promise((r) => setImmediate(r));
    expect(writes).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f'],
    ]);
    let settled = false;
    const all = Promise.all(added).then(() => (settled = true));
    while (!settled) {
      releases.forEach((release) => release());
      await new Promise((r) => setImmediate(r));
    }
    await all;
    expect(writes).toEqual([['a', 'b'], ['c', 'd'], ['e', 'f'], ['g']]);
  });

  it('writes the batches of different lanes at the same time, one key in one lane', async () => {
    const running = new Map<number, string[]>();
    let most = 0;
    let mostOfOneKey = 0;
    let calls = 0;
    const batcher = new Batcher<{ key: string; i: number }>(
      async (rows) => {
        const id = calls++;
        running.set(
          id,
          rows.map((row) => row.key),
        );
        most = Math.max(most, running.size);
        for (const row of rows) {
          const holding = [...running.values()].filter((keys) => keys.includes(row.key));
          mostOfOneKey = Math.max(mostOfOneKey, holding.length);
        }
        await new Promise((r) => setTimeout(r, 5));
        running.delete(id);
      },
      { maxRows: 1, maxDelayMs: 60_000, lanes: 4, laneKey: (row) => row.key },
    );
    const keys = Array.from({ length: 16 }, (_, i) => `session-${i}`);
    await Promise.all(keys.flatMap((key) => [0, 1, 2].map((i) => batcher.add({ key, i }))));
    // Four lanes of two writes each; a key's rows only ever in its lane's two.
    expect(most).toBeGreaterThan(2);
    expect(most).toBeLessThanOrEqual(8);
    expect(mostOfOneKey).toBeLessThanOrEqual(2);
    await batcher.drain();
  });

  it('refuses a batch size below one', () => {
    expect(() => new Batcher(() => Promise.resolve(), { maxRows: 0, maxDelayMs: 1 })).toThrow(
      RangeError,
    );
  });
});
