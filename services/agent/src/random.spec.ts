import { Random } from './random';

describe('Random', () => {
  const draws = (random: Random, n = 5): number[] => Array.from({ length: n }, () => random.next());

  it('repeats a forked stream from the same seed, whatever the other streams draw', () => {
    const a = new Random(11);
    const firstA = a.fork();
    const secondA = a.fork();
    const b = new Random(11);
    const firstB = b.fork();
    const secondB = b.fork();
    // Draw in another order: each stream is its own.
    const secondDrawsB = draws(secondB);
    expect(draws(firstA)).toEqual(draws(firstB));
    expect(draws(secondA)).toEqual(secondDrawsB);
    expect(draws(new Random(11).fork())).not.toEqual(draws(new Random(12).fork()));
  });

  it('gives forks that differ from each other', () => {
    const random = new Random(7);
    expect(draws(random.fork())).not.toEqual(draws(random.fork()));
  });
});
