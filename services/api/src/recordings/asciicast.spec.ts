import { castEvents, castHeader, CastFormatError } from './asciicast';

const header = JSON.stringify({ version: 2, width: 80, height: 24, timestamp: 1_900_000_000 });
const first = `${header}\n[0.5, "o", "a"]\n[1.5, "o", "b"]\n`;
const second = '[12.25, "o", "c"]\n[14, "o", "d"]\n';

describe('asciicast joining', () => {
  it('keeps the header and the lines as recorded without a clip', () => {
    const window = { originMs: 2000 };
    expect(castHeader(first, window)).toBe(header);
    expect([...castEvents(first, window), ...castEvents(second, window)]).toEqual([
      '[0.5, "o", "a"]',
      '[1.5, "o", "b"]',
      '[12.25, "o", "c"]',
      '[14, "o", "d"]',
    ]);
  });

  it('keeps only the lines inside a clip and rebases them to start at 0', () => {
    // The recording started 2 s into the session; the clip is session 13 s .. 16 s.
    const window = { originMs: 2000, fromMs: 13_000, toMs: 16_000 };
    expect([...castEvents(first, window), ...castEvents(second, window)]).toEqual([
      '[1.25,"o","c"]',
      '[3,"o","d"]',
    ]);
    expect(JSON.parse(castHeader(first, window))).toMatchObject({ timestamp: 1_900_000_011 });
  });

  it('refuses segments that are not asciicast v2', () => {
    expect(() => castHeader('[1, "o", "x"]', { originMs: 0 })).toThrow(CastFormatError);
    expect(() => castHeader('{"version": 1}', { originMs: 0 })).toThrow(CastFormatError);
    expect(() => [...castEvents('[1, "o"\n', { originMs: 0 })]).toThrow(CastFormatError);
    expect(() => [...castEvents('["x", "o", "y"]', { originMs: 0 })]).toThrow(CastFormatError);
  });
});
