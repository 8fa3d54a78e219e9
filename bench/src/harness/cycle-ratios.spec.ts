import { cycleRatios, median } from './cycle-ratios';

const round = (count: number, elapsedMs = 1000) => ({ count, elapsedMs });

describe('median', () => {
  it('takes the middle value of an odd count, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2);
  });

  it('takes the mean of the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('refuses no values', () => {
    expect(() => median([])).toThrow(RangeError);
  });
});

describe('cycleRatios', () => {
  it('pools each cycle’s rounds before dividing', () => {
    // Cycle 1: (90 + 110) / (100 + 100) = 1; cycle 2: (50 + 70) / (200 + 100) = 0.4.
    const result = cycleRatios(
      [round(90), round(110), round(50), round(70)],
      [round(100), round(100), round(200), round(100)],
      2,
    );
    expect(result?.ratios).toEqual([1, 0.4]);
    expect(result?.lowest).toBe(0.4);
    expect(result?.highest).toBe(1);
    expect(result?.median).toBeCloseTo(0.7);
  });

  it('weighs rounds by their length, as rates over the cycle', () => {
    // 300 in 3 s against 100 in 1 s: the same rate.
    const result = cycleRatios([round(300, 3000)], [round(100, 1000)], 1);
    expect(result?.ratios).toEqual([1]);
  });

  it('keeps one stalled cycle from moving the median', () => {
    const numerator = [round(90), round(90), round(5), round(90), round(90)];
    const denominator = Array.from({ length: 5 }, () => round(100));
    const result = cycleRatios(numerator, denominator, 5);
    expect(result?.median).toBeCloseTo(0.9);
    expect(result?.lowest).toBeCloseTo(0.05);
  });

  it('leaves out a cycle whose denominator did nothing', () => {
    const result = cycleRatios([round(50), round(80)], [round(0), round(100)], 2);
    expect(result?.ratios).toEqual([0.8]);
  });

  it('answers nothing when no cycle has a denominator', () => {
    expect(cycleRatios([round(5)], [round(0)], 1)).toBeUndefined();
  });

  it('refuses rounds that do not split into the cycles', () => {
    expect(() => cycleRatios([round(1), round(1), round(1)], [round(1), round(1)], 2)).toThrow(
      /numerator: 3 rounds do not split into 2 cycles/,
    );
    expect(() => cycleRatios([round(1)], [round(1)], 0)).toThrow(RangeError);
  });
});
