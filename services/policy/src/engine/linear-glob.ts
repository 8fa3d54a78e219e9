/**
 * Glob matching in linear-bounded time. The same patterns as everywhere in policies (`*`
 * any run, `?` one character, whole-string, case-insensitive), but matched with the
 * classic greedy two-pointer walk (O(pattern × text) at worst) instead of a RegExp: a
 * backtracking RegExp for `*a*a*a*b` takes hours on an 8 KiB attribute, and event
 * attributes, application names and host names come from hosts we do not trust.
 */

function codePoints(value: string): string[] {
  return Array.from(value.toLowerCase());
}

function matchOne(pattern: readonly string[], text: readonly string[]): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    const c = pattern[p];
    if (c !== undefined && c !== '*' && (c === '?' || c === text[t])) {
      p++;
      t++;
    } else if (c === '*') {
      star = p++;
      resume = t;
    } else if (star !== -1) {
      // Let the last star swallow one more character and retry from there.
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** A list of globs (OR), compiled once; `test` has the shape of RegExp.prototype.test. */
export class GlobList {
  private readonly patterns: readonly (readonly string[])[];

  constructor(patterns: readonly string[]) {
    this.patterns = patterns.map(codePoints);
  }

  test(value: string): boolean {
    const text = codePoints(value);
    return this.patterns.some((p) => matchOne(p, text));
  }
}

export function compileGlobList(patterns: readonly string[]): GlobList {
  return new GlobList(patterns);
}
