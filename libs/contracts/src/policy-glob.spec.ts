import { compileGlobs, GlobList, globToIlike } from './policy-glob';

describe('policy globs', () => {
  it.each([
    ['adm?n', 'ADMIN', true],
    ['adm?n', 'admiin', false],
    ['ops-*', 'ops-', true],
    ['ops-*', 'xops-eu', false],
    ['*', '', true],
    ['a*', '', false],
    ['*\\putty.exe', 'C:\\Program Files\\PuTTY\\putty.exe', true],
    ['web.(1)+', 'web.(1)+', true],
    ['web.(1)+', 'webx(1)', false],
    ['*a*b', 'xaxxb', true],
    ['*a*b', 'xaxxbc', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYcZc', true],
    ['a*b*c', 'acb', false],
    ['??', 'é😀', true],
    ['line*', 'line1\nline2', true],
  ])('%s against %j is %s', (pattern, text, expected) => {
    expect(compileGlobs([pattern]).test(text)).toBe(expected);
  });

  it('is an OR over the list', () => {
    const list = new GlobList(['db-*', 'web-??']);
    expect(list.test('web-01')).toBe(true);
    expect(list.test('db-x')).toBe(true);
    expect(list.test('mail-1')).toBe(false);
  });

  it('answers a pattern that makes a backtracking RegExp explode, on an 8 KiB value', () => {
    // `^.*a.*a.*a.*a.*b$` against 8192 "a"s is O(n^5) for a backtracking engine.
    const list = compileGlobs(['*a*a*a*a*b', `${'*a'.repeat(100)}*b`]);
    expect(list.test('a'.repeat(8192))).toBe(false);
    expect(list.test(`${'a'.repeat(8191)}b`)).toBe(true);
  });

  it('escapes SQL wildcards when translating to ILIKE', () => {
    expect(globToIlike('db-*')).toBe('db-%');
    expect(globToIlike('a?c')).toBe('a_c');
    expect(globToIlike('100%_x\\y')).toBe('100\\%\\_x\\\\y');
  });
});
