/**
 * Joins a terminal recording's asciicast segments into one asciicast v2 document: the
 * header (first line of the first segment) once, then the event lines. Line times count
 * from the recording's start; for a clip (from/to, session-relative milliseconds) only
 * the lines inside it are kept and their times are rebased to start at 0, with the
 * header's timestamp moved to match, so the clip plays on its own.
 */
export class CastFormatError extends Error {
  override readonly name = 'CastFormatError';
}

export interface CastWindow {
  /** Session-relative start of the recording (the start of its first segment). */
  readonly originMs: number;
  readonly fromMs?: number;
  readonly toMs?: number;
}

type CastEvent = [number, string, ...unknown[]];

function isCastEvent(value: unknown): value is CastEvent {
  return Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string';
}

function shiftMs(window: CastWindow): number {
  return window.fromMs === undefined ? 0 : Math.max(0, window.fromMs - window.originMs);
}

/** The header of the first segment, its timestamp moved to the clip's start. */
export function castHeader(firstSegment: string, window: CastWindow): string {
  const first = firstSegment.split('\n', 1)[0] ?? '';
  let header: unknown;
  try {
    header = JSON.parse(first);
  } catch {
    throw new CastFormatError('the first segment does not start with an asciicast header');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new CastFormatError('the first segment does not start with an asciicast header');
  }
  const fields = header as Record<string, unknown>;
  if (fields.version !== 2) throw new CastFormatError('only asciicast v2 is supported');
  const shift = shiftMs(window);
  if (shift > 0 && typeof fields.timestamp === 'number') {
    fields.timestamp = fields.timestamp + Math.floor(shift / 1000);
  }
  return JSON.stringify(fields);
}

/** The event lines of one segment that fall in the window, rebased to the clip. */
export function* castEvents(segment: string, window: CastWindow): Generator<string> {
  const shift = shiftMs(window);
  for (const raw of segment.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('{')) continue;
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      throw new CastFormatError('an asciicast line is not valid JSON');
    }
    if (!isCastEvent(event)) {
      throw new CastFormatError('an asciicast line is not [time, code, data]');
    }
    const atMs = window.originMs + event[0] * 1000;
    if (window.fromMs !== undefined && atMs < window.fromMs) continue;
    if (window.toMs !== undefined && atMs > window.toMs) continue;
    if (shift === 0) {
      yield line;
      continue;
    }
    const time = Math.max(0, Math.round((event[0] * 1000 - shift) * 1000) / 1e6);
    yield JSON.stringify([time, ...event.slice(1)]);
  }
}
