/**
 * The one place that knows the key layout of recordings
 * (`recordings/{yyyy}/{mm}/{dd}/{recordingId}/{seq}.{m4s|cast}`, `init.mp4`,
 * `manifest.json`), so ingest, the player, retention and fsck agree on it.
 */
import { assertValidKey } from './keys';

export type SegmentFormat = 'm4s' | 'cast';

/** Digits of a sequence number in a key: zero-padded so listing order is sequence order. */
export const SEQ_DIGITS = 10;
const MAX_SEQ = 10 ** SEQ_DIGITS - 1;
const RECORDING_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export class InvalidRecordingKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRecordingKeyError';
  }
}

/**
 * `recordings/{yyyy}/{mm}/{dd}/{recordingId}/`. The date is the recording's start in UTC,
 * so every object of a recording shares one prefix even when it runs past midnight.
 */
export function recordingPrefix(recordingId: string, startedAt: Date): string {
  if (!RECORDING_ID.test(recordingId)) {
    throw new InvalidRecordingKeyError(`Invalid recording id ${JSON.stringify(recordingId)}`);
  }
  if (!(startedAt instanceof Date) || Number.isNaN(startedAt.getTime())) {
    throw new InvalidRecordingKeyError('Invalid recording start time');
  }
  const yyyy = String(startedAt.getUTCFullYear()).padStart(4, '0');
  const mm = String(startedAt.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(startedAt.getUTCDate()).padStart(2, '0');
  return `recordings/${yyyy}/${mm}/${dd}/${recordingId}/`;
}

export function segmentKey(
  recordingId: string,
  startedAt: Date,
  seq: number,
  format: SegmentFormat,
): string {
  if (!Number.isSafeInteger(seq) || seq < 0 || seq > MAX_SEQ) {
    throw new InvalidRecordingKeyError(`Invalid segment sequence number ${String(seq)}`);
  }
  if (format !== 'm4s' && format !== 'cast') {
    throw new InvalidRecordingKeyError(`Invalid segment format ${JSON.stringify(format)}`);
  }
  const name = `${String(seq).padStart(SEQ_DIGITS, '0')}.${format}`;
  return assertValidKey(recordingPrefix(recordingId, startedAt) + name);
}

/** The CMAF initialisation segment of a screen recording. */
export function initSegmentKey(recordingId: string, startedAt: Date): string {
  return assertValidKey(`${recordingPrefix(recordingId, startedAt)}init.mp4`);
}

export function manifestKey(recordingId: string, startedAt: Date): string {
  return assertValidKey(`${recordingPrefix(recordingId, startedAt)}manifest.json`);
}

export type ParsedRecordingKey =
  | { kind: 'segment'; recordingId: string; date: string; seq: number; format: SegmentFormat }
  | { kind: 'init' | 'manifest'; recordingId: string; date: string };

const PARSE =
  /^recordings\/(\d{4})\/(\d{2})\/(\d{2})\/([A-Za-z0-9][A-Za-z0-9_-]{0,127})\/(?:(\d{10})\.(m4s|cast)|(init\.mp4)|(manifest\.json))$/;

/** Reads a key back (for fsck and retention); undefined for keys outside the layout. */
export function parseRecordingKey(key: string): ParsedRecordingKey | undefined {
  const m = PARSE.exec(key);
  if (!m) return undefined;
  const [, yyyy, mm, dd, recordingId = '', seq, format, init] = m;
  const date = `${yyyy}-${mm}-${dd}`;
  if (seq !== undefined && (format === 'm4s' || format === 'cast')) {
    return { kind: 'segment', recordingId, date, seq: Number(seq), format };
  }
  return { kind: init ? 'init' : 'manifest', recordingId, date };
}
