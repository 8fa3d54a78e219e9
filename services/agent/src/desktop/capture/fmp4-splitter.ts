/**
 * Cuts ffmpeg's fragmented-MP4 byte stream into what the recording protocol carries: the
 * init segment (ftyp up to and with the moov, handed out as soon as the moov is in) and then one media segment
 * per moof+mdat pair (with any styp/sidx/prft in front of it). Memory is bounded: one box
 * may not exceed maxBoxBytes.
 */

export class StreamFormatError extends Error {
  override readonly name = 'StreamFormatError';
}

export type SplitPart = { kind: 'init'; bytes: Buffer } | { kind: 'media'; bytes: Buffer };

/** Boxes that may come before a fragment's moof and belong to that segment. */
const FRAGMENT_PREFIX = new Set(['styp', 'sidx', 'prft', 'free']);
/** Boxes at the end of a file (mfra) that are no part of any segment. */
const TRAILER = new Set(['mfra']);

export class Fmp4Splitter {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private initParts: Buffer[] | null = [];
  private pending: Buffer[] = [];
  private sawMoof = false;

  constructor(private readonly maxBoxBytes: number) {}

  /** Bytes received but not yet returned as a part. */
  get bufferedBytes(): number {
    return this.buffered + this.pending.reduce((sum, b) => sum + b.length, 0);
  }

  push(chunk: Buffer): SplitPart[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const parts: SplitPart[] = [];
    for (let box = this.nextBox(); box; box = this.nextBox()) this.take(box, parts);
    return parts;
  }

  /** At the end of the stream: anything left is a truncated box. */
  finish(): void {
    if (this.buffered > 0) {
      throw new StreamFormatError(`stream ended inside a box (${this.buffered} bytes left)`);
    }
  }

  private take(box: { type: string; bytes: Buffer }, parts: SplitPart[]): void {
    if (this.initParts) {
      if (this.initParts.length === 0 && box.type !== 'ftyp') {
        throw new StreamFormatError(`stream starts with '${box.type}', not an init segment`);
      }
      if (box.type === 'moof') throw new StreamFormatError('fragment before the moov');
      this.initParts.push(box.bytes);
      // The init is complete with its moov: hand it out before any fragment is cut.
      if (box.type === 'moov') {
        parts.push({ kind: 'init', bytes: Buffer.concat(this.initParts) });
        this.initParts = null;
      }
      return;
    }
    if (TRAILER.has(box.type)) return;
    if (box.type === 'moof') {
      if (this.sawMoof) throw new StreamFormatError('moof without its mdat');
      this.sawMoof = true;
      this.pending.push(box.bytes);
    } else if (box.type === 'mdat') {
      if (!this.sawMoof) throw new StreamFormatError('mdat without a moof');
      this.pending.push(box.bytes);
      parts.push({ kind: 'media', bytes: Buffer.concat(this.pending) });
      this.pending = [];
      this.sawMoof = false;
    } else if (FRAGMENT_PREFIX.has(box.type) && !this.sawMoof) {
      this.pending.push(box.bytes);
    } else {
      throw new StreamFormatError(`unexpected '${box.type}' box between fragments`);
    }
  }

  private nextBox(): { type: string; bytes: Buffer } | undefined {
    if (this.buffered < 8) return undefined;
    const head = this.peek(16);
    let size = head.readUInt32BE(0);
    const type = head.toString('latin1', 4, 8);
    if (!/^[a-z0-9 ]{4}$/i.test(type)) throw new StreamFormatError('not an MP4 box header');
    if (size === 1) {
      if (head.length < 16) return undefined;
      size = Number(head.readBigUInt64BE(8));
    } else if (size === 0) {
      throw new StreamFormatError(`'${type}' box runs to the end of the stream`);
    }
    if (size < 8) throw new StreamFormatError(`'${type}' box has a bad size ${size}`);
    if (size > this.maxBoxBytes) {
      throw new StreamFormatError(`'${type}' box of ${size} bytes is over ${this.maxBoxBytes}`);
    }
    if (this.buffered < size) return undefined;
    return { type, bytes: this.read(size) };
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n || this.chunks.length === 1) return first.subarray(0, n);
    this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!.subarray(0, n);
  }

  private read(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const out = Buffer.from(all.subarray(0, n));
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }
}
