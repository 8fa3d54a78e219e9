import { PreEventBuffer } from './pre-event-buffer';

const entry = (startMs: number, endMs: number, bytes = 10) => ({
  startMs,
  endMs,
  bytes,
  item: `${startMs}`,
});

describe('PreEventBuffer', () => {
  it('keeps only the last maxMs of entries', () => {
    const buffer = new PreEventBuffer<string>(60_000, 1_000_000);
    for (let t = 0; t < 180_000; t += 6_000) buffer.push(entry(t, t + 6_000));
    // The newest ends at 180 s: entries starting at 120 s or later stay.
    expect(buffer.oldestMs).toBe(120_000);
    expect(buffer.length).toBe(10);
    expect(buffer.drain().map((e) => e.item)).toEqual(
      Array.from({ length: 10 }, (_, i) => `${120_000 + i * 6_000}`),
    );
    expect(buffer.length).toBe(0);
    expect(buffer.bytes).toBe(0);
  });

  it('drops the oldest entries beyond the byte limit', () => {
    const buffer = new PreEventBuffer<string>(3_600_000, 25);
    buffer.push(entry(0, 1, 10));
    buffer.push(entry(1, 2, 10));
    buffer.push(entry(2, 3, 10));
    expect(buffer.bytes).toBe(20);
    expect(buffer.oldestMs).toBe(1);
  });

  it('holds nothing when the window is zero minutes', () => {
    const buffer = new PreEventBuffer<string>(0, 100);
    buffer.push(entry(0, 6_000));
    expect(buffer.length).toBe(0);
  });
});
