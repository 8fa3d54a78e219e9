/**
 * A record-on-event recording of a terminal begins at the oldest moment the pre-event
 * buffer still holds, which is later than the wrapper's cast began when the older
 * segments were dropped. So its segments are moved to the recording's clock (every
 * line's time less the offset) and the first opens with a header of the terminal's size
 * at that moment. Lines keep their order and text: what replays is unchanged.
 */

export interface CastSize {
  readonly width: number;
  readonly height: number;
}

/** The terminal size after a segment: its header's, then its last window-size change. */
export function castSizeAfter(text: string, before: CastSize | undefined): CastSize | undefined {
  let size = before;
  for (const row of text.split('\n')) {
    if (row === '') continue;
    const value = JSON.parse(row) as unknown;
    if (Array.isArray(value)) {
      const resize = value[1] === 'r' ? /^(\d+)x(\d+)$/.exec(String(value[2])) : null;
      if (resize) size = { width: Number(resize[1]), height: Number(resize[2]) };
    } else if (typeof value === 'object' && value !== null) {
      const header = value as Partial<CastSize>;
      if (typeof header.width === 'number' && typeof header.height === 'number')
        size = { width: header.width, height: header.height };
    }
  }
  return size;
}

/** The header line of a segment that opens a cast, if it does. */
export function castHeaderOf(text: string): Record<string, unknown> | undefined {
  const newline = text.indexOf('\n');
  const first = newline < 0 ? text : text.slice(0, newline);
  try {
    const value = JSON.parse(first) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Moves every line `offsetMs` earlier (never below 0) and puts `header` first when given. */
export function rebaseCast(text: string, offsetMs: number, header?: string): string {
  const rows: string[] = header ? [header] : [];
  for (const row of text.split('\n')) {
    if (row === '') continue;
    const value = JSON.parse(row) as unknown;
    if (!Array.isArray(value)) {
      if (!header) rows.push(row); // the cast's own header, when nothing was cut before it
      continue;
    }
    const seconds = Math.max(0, Number(((Number(value[0]) * 1000 - offsetMs) / 1000).toFixed(3)));
    rows.push(JSON.stringify([seconds, ...(value as unknown[]).slice(1)]));
  }
  return `${rows.join('\n')}\n`;
}
