import { readFileSync } from 'node:fs';
import path from 'node:path';
import { amortise, readSamples } from './desktop-capture-mp4';

const FIXTURES = path.resolve(__dirname, '../../../services/agent/fixtures/desktop');

describe('desktop-capture sample reader', () => {
  it('reads every frame of a fragmented MP4: keyframe first, times rising, sizes within the file', () => {
    const file = Buffer.concat(
      ['init.mp4', '0001.m4s', '0002.m4s'].map((name) => readFileSync(path.join(FIXTURES, name))),
    );
    const samples = readSamples(file);
    // 10 fps, 6-second segments (fixtures/make-fixtures.sh): 60 frames each.
    expect(samples).toHaveLength(120);
    expect(samples[0]!.key).toBe(true);
    expect(samples[60]!.key).toBe(true);
    expect(samples.filter((s) => s.key)).toHaveLength(2);
    for (let i = 1; i < samples.length; i += 1) {
      expect(samples[i]!.ms).toBeGreaterThan(samples[i - 1]!.ms);
    }
    expect(samples[60]!.ms).toBeCloseTo(6000, 0);
    const total = samples.reduce((sum, s) => sum + s.bytes, 0);
    expect(total).toBeGreaterThan(file.length * 0.9);
    expect(total).toBeLessThan(file.length);
  });

  it('refuses a file without a moov', () => {
    expect(() => readSamples(Buffer.alloc(16))).toThrow(/moov/);
  });
});

describe('steady-state bytes per hour', () => {
  const samples = [
    { ms: 0, bytes: 100_000, key: true },
    { ms: 1000, bytes: 1000, key: false },
    { ms: 2000, bytes: 1000, key: false },
    { ms: 3000, bytes: 1000, key: false },
    { ms: 4000, bytes: 100_000, key: true },
  ];

  it('counts delta frames in the window and keyframes at the encoder rate, not as they fell', () => {
    // Window [500, 3500): three delta frames (3000 B) and 3/300 of a 100 kB keyframe.
    const out = amortise(samples, { fromMs: 500, toMs: 3500 }, 300);
    expect(out.framesInWindow).toBe(3);
    expect(out.meanKeyframeBytes).toBe(100_000);
    expect(out.bytesPerHour).toBeCloseTo(((3000 + 1000) / 3000) * 3_600_000, 3);
  });

  it('counts the keyframes that fell in the window when there are more than the rate says', () => {
    const out = amortise(samples, { fromMs: 3500, toMs: 4500 }, 300);
    expect(out.bytesPerHour).toBeCloseTo(100_000 * 3600, 3);
  });

  it('costs next to nothing when no frame falls in the window', () => {
    expect(amortise(samples, { fromMs: 4500, toMs: 9500 }, 300).bytesPerHour).toBe(0);
  });
});
