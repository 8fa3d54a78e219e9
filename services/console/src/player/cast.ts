/**
 * Reads asciicast v2 text as the api streams it (a header line, then `[time, code, data]`
 * lines) into output events on the session clock. A clip's times start at 0 at `baseMs`.
 */
export interface CastHeader {
  width: number;
  height: number;
}

export interface CastOutput {
  /** Session-relative milliseconds. */
  atMs: number;
  data: string;
}

export interface ParsedCast {
  header: CastHeader | undefined;
  output: CastOutput[];
}

export function parseCast(text: string, baseMs: number): ParsedCast {
  let header: CastHeader | undefined;
  const output: CastOutput[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue; // a torn last line of a live recording; the next window has it whole
    }
    if (Array.isArray(value)) {
      const [time, code, data] = value as unknown[];
      if (typeof time === 'number' && code === 'o' && typeof data === 'string') {
        output.push({ atMs: baseMs + Math.round(time * 1000), data });
      }
    } else if (value && typeof value === 'object') {
      const h = value as Record<string, unknown>;
      if (typeof h.width === 'number' && typeof h.height === 'number') {
        header = { width: h.width, height: h.height };
      }
    }
  }
  return { header, output };
}
