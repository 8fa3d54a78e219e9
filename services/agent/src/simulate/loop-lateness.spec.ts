import { loopLatenessMs } from './loop-lateness';

describe('loopLatenessMs', () => {
  it('takes the timer interval off what the monitor recorded', () => {
    expect(loopLatenessMs(20_000_000)).toBe(0);
    expect(loopLatenessMs(57_500_000)).toBeCloseTo(37.5);
  });

  it('never reports a negative lateness (a timer can fire a little early)', () => {
    expect(loopLatenessMs(18_800_000)).toBe(0);
  });

  it('uses the interval it is given', () => {
    expect(loopLatenessMs(15_000_000, 10)).toBeCloseTo(5);
  });
});
