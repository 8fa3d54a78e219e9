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

  it('writes the rows of one call together, split across batches at maxRows', async () => {
    const writes: number[][] = [];
    const batcher = new Batcher<number>(
      async (rows) => {
        await Promise.resolve();
        writes.push([...rows]);
      },
      { maxRows: 3, maxDelayMs: 60_000 },
    );
    const first = batcher.addAll([1, 2]);
    const second = batcher.addAll([3, 4, 5, 6, 7]);
    let secondDone = false;
    void second.then(() => (secondDone = true));
    await first;
    expect(writes).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(secondDone).toBe(false); // its last row waits for the next batch
    await batcher.drain();
    await second;
    expect(writes).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    await expect(batcher.addAll([])).resolves.toBeUndefined();
  });

  it('rejects a call when any batch holding its rows fails', async () => {
    const batcher = new Batcher<number>(
      (rows) => (rows.includes(4) ? Promise.reject(new Error('boom')) : Promise.resolve()),
      { maxRows: 3, maxDelayMs: 60_000 },
    );
    const calls = Promise.allSettled([batcher.addAll([1, 2]), batcher.addAll([3, 4])]);
    await batcher.drain(); // row 4 waits in the next batch
    const [before, straddling] = await calls;
    expect(before.status).toBe('fulfilled');
    expect(straddling.status).toBe('rejected');
  });

  it('refuses a batch size below one', () => {
    expect(() => new Batcher(() => Promise.resolve(), { maxRows: 0, maxDelayMs: 1 })).toThrow(
      RangeError,
    );
  });
});
