import { compileGlobs, globToIlike, globToRegExp } from './policy-glob';

describe('policy globs', () => {
  it('match whole strings case-insensitively with * and ?', () => {
    expect(globToRegExp('db-*').test('DB-primary')).toBe(true);
    expect(globToRegExp('db-*').test('xdb-primary')).toBe(false);
    expect(globToRegExp('web-??').test('web-01')).toBe(true);
    expect(globToRegExp('web-??').test('web-001')).toBe(false);
  });

  it('treat regex metacharacters as text', () => {
    expect(globToRegExp('a.b(c)').test('a.b(c)')).toBe(true);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
  });

  it('OR a list', () => {
    const re = compileGlobs(['alice', 'bob*']);
    expect(['alice', 'bobby', 'ALICE'].every((v) => re.test(v))).toBe(true);
    expect(re.test('carol')).toBe(false);
  });

  it('escape SQL wildcards when translating to ILIKE', () => {
    expect(globToIlike('db-*')).toBe('db-%');
    expect(globToIlike('a?c')).toBe('a_c');
    expect(globToIlike('100%_x\\y')).toBe('100\\%\\_x\\\\y');
  });
});
