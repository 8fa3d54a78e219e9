import { Coalescer, createdByFirstAsker } from './coalescer';

/** Lets the current event-loop turn end (a coalescer sends its statement then). */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A stand-in statement: records each batch's inputs, answers when told to. */
function fakeStatement(
  answer: (inputs: readonly number[]) => number[] = (xs) => xs.map((x) => x * 10),
) {
  const batches: number[][] = [];
  const waiting: (() => void)[] = [];
  const run = (inputs: readonly number[]): Promise<number[]> => {
    batches.push([...inputs]);
    return new Promise((resolve, reject) => {
      waiting.push(() => {
        try {
          resolve(answer(inputs));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
  };
  return {
    run,
    batches,
    /** Lets the oldest statement finish and its callers run. */
    finish: async () => {
      waiting.shift()?.();
      await turn();
    },
    /** Finishes statements until none is left. */
    drain: async () => {
      await turn();
      while (waiting.length > 0) {
        waiting.shift()?.();
        await turn();
        await turn();
      }
    },
  };
}

describe('Coalescer', () => {
  it('sends the requests of one turn in one statement at its end, and those made while it runs in the next', async () => {
    const statement = fakeStatement();
    const coalescer = new Coalescer(statement.run, 500, 1);
    const first = [1, 2].map((x) => coalescer.submit(x));
    expect(statement.batches).toEqual([]);
    await turn();
    expect(statement.batches).toEqual([[1, 2]]);
    const rest = [3, 4, 5].map((x) => coalescer.submit(x));
    await turn();
    expect(statement.batches).toEqual([[1, 2]]); // one statement at a time
    await statement.finish();
    await expect(Promise.all(first)).resolves.toEqual([10, 20]);
    expect(statement.batches).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
    await statement.finish();
    await expect(Promise.all(rest)).resolves.toEqual([30, 40, 50]);
  });

  it('splits at maxBatch and keeps at most maxInFlight statements running', async () => {
    const statement = fakeStatement();
    const coalescer = new Coalescer(statement.run, 2, 2);
    const all = [0, 1, 2, 3, 4, 5, 6].map((x) => coalescer.submit(x));
    await turn();
    expect(statement.batches).toEqual([
      [0, 1],
      [2, 3],
    ]);
    await statement.finish();
    expect(statement.batches).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    await statement.drain();
    expect(statement.batches.map((b) => b.length)).toEqual([2, 2, 2, 1]);
    await expect(Promise.all(all)).resolves.toEqual([0, 10, 20, 30, 40, 50, 60]);
  });

  it('runs a failed batch again one request at a time: only the refused request fails', async () => {
    const statement = fakeStatement((xs) => {
      if (xs.includes(13)) throw new Error('violates a constraint');
      return xs.map((x) => x * 10);
    });
    const coalescer = new Coalescer(statement.run, 500, 1);
    const blocker = coalescer.submit(1);
    await turn();
    const batch = [
      expect(coalescer.submit(12)).resolves.toBe(120),
      expect(coalescer.submit(13)).rejects.toThrow('violates a constraint'),
      expect(coalescer.submit(14)).resolves.toBe(140),
    ];
    await statement.drain();
    await expect(blocker).resolves.toBe(10);
    await Promise.all(batch);
    expect(statement.batches).toEqual([[1], [12, 13, 14], [12], [13], [14]]);
    // It goes on with later requests.
    const later = coalescer.submit(2);
    await statement.drain();
    await expect(later).resolves.toBe(20);
  });

  it('fails a single request with its statement error', async () => {
    const statement = fakeStatement(() => {
      throw new Error('connection lost');
    });
    const coalescer = new Coalescer(statement.run);
    const alone = expect(coalescer.submit(1)).rejects.toThrow('connection lost');
    await statement.drain();
    await alone;
    expect(statement.batches).toEqual([[1]]);
  });

  it('fails every request of a statement that answers the wrong number of outputs', async () => {
    const statement = fakeStatement((xs) => xs.slice(1));
    const coalescer = new Coalescer(statement.run, 500, 1);
    const blocker = expect(coalescer.submit(1)).rejects.toThrow('a batch of 1 answered 0 outputs');
    await turn();
    const pair = [2, 3].map((x) =>
      expect(coalescer.submit(x)).rejects.toThrow('a batch of 2 answered 1 outputs'),
    );
    await statement.drain();
    await Promise.all([blocker, ...pair]);
  });

  it('refuses nonsense limits', () => {
    const statement = fakeStatement();
    expect(() => new Coalescer(statement.run, 0)).toThrow(RangeError);
    expect(() => new Coalescer(statement.run, 10, 0)).toThrow(RangeError);
  });
});

describe('createdByFirstAsker', () => {
  it('sends each key once, and credits a created row to its first asker only', async () => {
    const sent: string[][] = [];
    const created = await createdByFirstAsker(
      ['a', 'b', 'a', 'c', 'b'],
      (x) => x,
      (unique) => {
        sent.push([...unique]);
        return Promise.resolve(new Set(['a', 'c'])); // b already existed
      },
    );
    expect(sent).toEqual([['a', 'b', 'c']]);
    expect(created).toEqual([true, false, false, true, false]);
  });
});
