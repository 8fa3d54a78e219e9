import { describe, expect, it } from '@jest/globals';
import { parseCast } from './cast';

describe('parseCast', () => {
  it('reads the header and output lines on the session clock', () => {
    const text = [
      '{"version":2,"width":100,"height":30,"timestamp":1}',
      '[0.5,"o","$ ls\\r\\n"]',
      '[1.25,"i","x"]',
      '[2,"o","a b c\\r\\n"]',
      '[3,"o","torn',
      '',
    ].join('\n');
    const cast = parseCast(text, 60_000);
    expect(cast.header).toEqual({ width: 100, height: 30 });
    expect(cast.output).toEqual([
      { atMs: 60_500, data: '$ ls\r\n' },
      { atMs: 62_000, data: 'a b c\r\n' },
    ]);
  });

  it('ignores hostile or malformed lines', () => {
    const cast = parseCast('[1,"o",{"x":1}]\n["1","o","x"]\nnull\n{"width":"80"}', 0);
    expect(cast.output).toEqual([]);
    expect(cast.header).toBeUndefined();
  });
});
