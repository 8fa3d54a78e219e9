/**
 * Makes terminal output searchable: for each stored asciicast segment, reads the object,
 * checks it against the SHA-256 ingest announced, extracts its printable lines
 * (`castText`) and writes them as chunks (`terminal_text`) with a row per segment
 * (`terminal_segments`) in one transaction. Idempotent: a segment already recorded is not
 * read again, and rows are keyed by (recording, seq, chunk). A missing, altered or
 * unreadable object can never become readable by retrying, so it is dead-lettered with
 * the reason (PermanentError); an unreachable store is retried with backoff.
 */
import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  CastEncodingError,
  castTextPrefix,
  isGzip,
  type SegmentStored,
} from '@sessionrec/contracts';
import { PermanentError } from '@sessionrec/messaging';
import { OBJECT_STORE } from '@sessionrec/runtime';
import {
  InvalidKeyError,
  InvalidRangeError,
  isObjectNotFound,
  type ObjectStore,
} from '@sessionrec/storage';
import { DataSource } from 'typeorm';
import { clean } from '../writes/event-row';
import { castText, chunkLines, DEFAULT_CAST_TEXT_LIMITS } from './cast-text';

/** Bytes of one segment read at most; a larger one is indexed up to here (marked truncated). */
export const MAX_CAST_READ_BYTES = 8 * 1024 * 1024;

interface SegmentBytes {
  bytes: Buffer;
  /** Only the first MAX_CAST_READ_BYTES were read (and the hash could not be checked). */
  partial: boolean;
}

@Injectable()
export class TerminalTextIndexer {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
  ) {}

  /** Indexes a cast segment's text; other segment kinds have none. */
  async index(segment: SegmentStored): Promise<void> {
    if (segment.kind !== 'cast' || (await this.indexed(segment))) return;
    const { bytes, partial } = await this.read(segment);
    const text = castText(bytes.toString('utf8'), DEFAULT_CAST_TEXT_LIMITS);
    if (text.lines.length === 0 && text.skippedLines > 0) {
      throw new PermanentError(
        `cast segment ${segment.key} is not asciicast: none of its ${text.skippedLines} line(s) is an event`,
      );
    }
    const chunks = chunkLines(text.lines.map((l) => ({ ms: l.ms, text: clean(l.text) })));
    await this.dataSource.transaction(async (m) => {
      const recorded = await m.query<unknown[]>(
        `INSERT INTO terminal_segments (recording_id, seq, session_id, lines, chars, skipped_lines,
                                        truncated)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING seq`,
        [
          segment.recordingId,
          segment.seq,
          segment.sessionId,
          text.lines.length,
          text.chars,
          text.skippedLines,
          text.truncated || partial,
        ],
      );
      // Another replica (or an earlier delivery) got there first: its rows are the same.
      if (recorded.length === 0 || chunks.length === 0) return;
      await m.query(
        `INSERT INTO terminal_text (recording_id, seq, chunk, session_id, start_ms, line_ms, text)
         SELECT $1, $2, c.chunk, $3, c.start_ms, c.line_ms, c.text
           FROM jsonb_to_recordset($4::jsonb)
                AS c(chunk integer, start_ms bigint, line_ms bigint[], text text)
         ON CONFLICT DO NOTHING`,
        [
          segment.recordingId,
          segment.seq,
          segment.sessionId,
          JSON.stringify(
            chunks.map((c) => ({
              chunk: c.chunk,
              start_ms: c.startMs,
              line_ms: c.lineMs,
              text: c.text,
            })),
          ),
        ],
      );
    });
  }

  private async indexed(segment: SegmentStored): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      `SELECT 1 FROM terminal_segments WHERE recording_id = $1 AND seq = $2`,
      [segment.recordingId, segment.seq],
    );
    return rows.length > 0;
  }

  private async read(segment: SegmentStored): Promise<SegmentBytes> {
    const partial = segment.size > MAX_CAST_READ_BYTES;
    let body: NodeJS.ReadableStream;
    try {
      const got = await this.store.get(
        segment.key,
        partial ? { range: { start: 0, end: MAX_CAST_READ_BYTES - 1 } } : {},
      );
      body = got.body;
    } catch (err) {
      if (isObjectNotFound(err)) {
        throw new PermanentError(`cast segment ${segment.key} is not in the object store`);
      }
      if (err instanceof InvalidKeyError || err instanceof InvalidRangeError) {
        throw new PermanentError(`cast segment ${segment.key} cannot be read: ${err.message}`);
      }
      throw err;
    }
    const parts: Buffer[] = [];
    let length = 0;
    for await (const part of body) {
      const buf = Buffer.isBuffer(part) ? part : Buffer.from(part);
      parts.push(buf);
      length += buf.length;
      if (length > MAX_CAST_READ_BYTES) break;
    }
    const bytes = Buffer.concat(parts);
    if ((partial || length > MAX_CAST_READ_BYTES) && isGzip(bytes)) {
      // Agents compress segments of at most 1 MiB of text: this cannot be one of theirs.
      throw new PermanentError(`cast segment ${segment.key} is compressed and too large to read`);
    }
    if (partial || length > MAX_CAST_READ_BYTES) {
      // Only whole lines: the last one was probably cut.
      const whole = bytes.subarray(0, Math.min(bytes.length, MAX_CAST_READ_BYTES));
      return { bytes: whole.subarray(0, whole.lastIndexOf(0x0a) + 1), partial: true };
    }
    if (createHash('sha256').update(bytes).digest('hex') !== segment.sha256) {
      throw new PermanentError(
        `cast segment ${segment.key} does not match the SHA-256 announced for it`,
      );
    }
    if (!isGzip(bytes)) return { bytes, partial: false };
    // Stored gzip-compressed by the agent: the text, bounded like an uncompressed read.
    try {
      const text = await castTextPrefix(bytes, MAX_CAST_READ_BYTES + 1);
      if (text.length <= MAX_CAST_READ_BYTES) return { bytes: text, partial: false };
      const whole = text.subarray(0, MAX_CAST_READ_BYTES);
      return { bytes: whole.subarray(0, whole.lastIndexOf(0x0a) + 1), partial: true };
    } catch (err) {
      if (err instanceof CastEncodingError) {
        throw new PermanentError(`cast segment ${segment.key}: ${err.message}`);
      }
      throw err;
    }
  }
}
