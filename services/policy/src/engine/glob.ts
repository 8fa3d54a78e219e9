/** Glob patterns (`*`, `?`) compiled once into anchored, escaped, case-insensitive RegExps. */

export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (const ch of pattern) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}

/** One RegExp for a list of patterns (lists are OR). */
export function compileGlobs(patterns: readonly string[]): RegExp {
  const sources = patterns.map((p) => globToRegExp(p).source.slice(1, -1));
  return new RegExp(`^(?:${sources.join('|')})$`, 'is');
}
