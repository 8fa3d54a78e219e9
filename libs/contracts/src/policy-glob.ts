/**
 * The glob patterns of every policy kind (`*` any run, `?` one character, nothing else
 * special; whole-string, case-insensitive), compiled once: to a matcher where policy is
 * evaluated in memory, to an ILIKE pattern where the catalogue applies it in SQL.
 *
 * The matcher is the classic greedy two-pointer walk (O(pattern × text) at worst), not a
 * RegExp: a backtracking RegExp for `*a*a*a*b` takes hours on an 8 KiB value, and user
 * names, host names, applications and event attributes come from hosts we do not trust.
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

/** A list of patterns (OR), compiled once. */
export function compileGlobs(patterns: readonly string[]): GlobList {
  return new GlobList(patterns);
}

/** The same pattern for `ILIKE ... ESCAPE '\'` (the SQL wildcards in the text escaped). */
export function globToIlike(pattern: string): string {
  let out = '';
  for (const ch of pattern) {
    if (ch === '*') out += '%';
    else if (ch === '?') out += '_';
    else if (ch === '\\' || ch === '%' || ch === '_') out += `\\${ch}`;
    else out += ch;
  }
  return out;
}
