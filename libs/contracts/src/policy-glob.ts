/**
 * The glob patterns of every policy kind (`*` any run, `?` one character, nothing else
 * special; whole-string, case-insensitive), compiled once: to a RegExp where policy is
 * evaluated in memory, to an ILIKE pattern where the catalogue applies it in SQL.
 */

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
