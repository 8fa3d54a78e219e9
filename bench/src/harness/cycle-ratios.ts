/**
 * Ratios of two rates measured in alternating rounds, cycle by cycle.
 *
 * Why: on a VM whose disk and cores change speed by half within seconds, one ratio of the
 * pooled rates hides how far it could have landed elsewhere. Each cycle holds rounds of
 * both kinds measured within a few seconds of each other, so a cycle's ratio compares
 * like with like; the median of the cycles' ratios is what one stalled cycle does not
 * move, and the lowest and highest say how much to trust it.
 */

/** One round's work: what was done in how long. */
export interface Round {
  readonly count: number;
  readonly elapsedMs: number;
}

export interface CycleRatios {
  /** One ratio per cycle, in cycle order. */
  readonly ratios: readonly number[];
  readonly median: number;
  readonly lowest: number;
  readonly highest: number;
}

/** The rate of some rounds together: their work over their time, per second. */
function pooledRate(rounds: readonly Round[]): number {
  const elapsedMs = rounds.reduce((sum, r) => sum + r.elapsedMs, 0);
  const count = rounds.reduce((sum, r) => sum + r.count, 0);
  return elapsedMs > 0 ? (count * 1000) / elapsedMs : 0;
}

/** The middle value; the mean of the two middle ones for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * `numerator`'s rate over `denominator`'s, cycle by cycle: both hold `cycles` cycles of
 * rounds in order, the same number of rounds in each cycle (for saturation, two of each
 * kind). A cycle whose denominator did nothing has no ratio and is left out.
 */
export function cycleRatios(
  numerator: readonly Round[],
  denominator: readonly Round[],
  cycles: number,
): CycleRatios | undefined {
  if (!Number.isInteger(cycles) || cycles < 1) {
    throw new RangeError(`cycles must be a positive integer, got ${cycles}`);
  }
  for (const [name, rounds] of [
    ['numerator', numerator],
    ['denominator', denominator],
  ] as const) {
    if (rounds.length % cycles !== 0) {
      throw new RangeError(`${name}: ${rounds.length} rounds do not split into ${cycles} cycles`);
    }
  }
  const perCycleA = numerator.length / cycles;
  const perCycleB = denominator.length / cycles;
  const ratios: number[] = [];
  for (let c = 0; c < cycles; c++) {
    const below = pooledRate(denominator.slice(c * perCycleB, (c + 1) * perCycleB));
    if (below <= 0) continue;
    ratios.push(pooledRate(numerator.slice(c * perCycleA, (c + 1) * perCycleA)) / below);
  }
  if (ratios.length === 0) return undefined;
  return {
    ratios,
    median: median(ratios),
    lowest: Math.min(...ratios),
    highest: Math.max(...ratios),
  };
}
