/**
 * The samples (frames) of a fragmented MP4 file, for the desktop-capture benchmark: time,
 * size and keyframe flag of each, read from every moof's tfdt/tfhd/trun. Benchmarks do
 * not import services' code, and the agent's own fMP4 reader stops at the first sample.
 */

export interface Sample {
  /** Decode time in ms from the start of the file's timeline. */
  readonly ms: number;
  readonly bytes: number;
  readonly key: boolean;
}

interface Box {
  type: string;
  payload: number;
  end: number;
}

function boxes(buf: Buffer, start: number, end: number): Box[] {
  const out: Box[] = [];
  let at = start;
  while (at + 8 <= end) {
    let size = buf.readUInt32BE(at);
    let payload = at + 8;
    if (size === 1) {
      size = Number(buf.readBigUInt64BE(at + 8));
      payload = at + 16;
    } else if (size === 0) {
      size = end - at;
    }
    if (size < 8 || at + size > end) break; // a truncated tail: the rest is not whole
    out.push({ type: buf.toString('latin1', at + 4, at + 8), payload, end: at + size });
    at += size;
  }
  return out;
}

const child = (buf: Buffer, parent: Box, type: string) =>
  boxes(buf, parent.payload, parent.end).find((b) => b.type === type);

function timescale(buf: Buffer, moov: Box): number {
  const mdhd = ['trak', 'mdia', 'mdhd'].reduce<Box | undefined>(
    (box, type) => (box ? child(buf, box, type) : undefined),
    moov,
  );
  if (!mdhd) throw new Error('no mdhd in the moov');
  const version = buf[mdhd.payload]!;
  return buf.readUInt32BE(mdhd.payload + 4 + (version === 1 ? 16 : 8));
}

export function readSamples(buf: Buffer): Sample[] {
  const top = boxes(buf, 0, buf.length);
  const moov = top.find((b) => b.type === 'moov');
  if (!moov) throw new Error('no moov');
  const scale = timescale(buf, moov);
  const samples: Sample[] = [];
  for (const moof of top.filter((b) => b.type === 'moof')) {
    const traf = child(buf, moof, 'traf');
    const tfhd = traf && child(buf, traf, 'tfhd');
    const tfdt = traf && child(buf, traf, 'tfdt');
    const trun = traf && child(buf, traf, 'trun');
    if (!tfhd || !tfdt || !trun) continue;
    const hdFlags = buf.readUInt32BE(tfhd.payload) & 0xffffff;
    let at = tfhd.payload + 8;
    /** The next 32-bit field when `present`, else the fallback. */
    const field = (present: boolean, fallback: number): number => {
      if (!present) return fallback;
      const value = buf.readUInt32BE(at);
      at += 4;
      return value;
    };
    if (hdFlags & 0x01) at += 8;
    if (hdFlags & 0x02) at += 4;
    const defaultDuration = field((hdFlags & 0x08) !== 0, 0);
    const defaultSize = field((hdFlags & 0x10) !== 0, 0);
    const defaultFlags = field((hdFlags & 0x20) !== 0, 0);
    let time =
      buf[tfdt.payload] === 1
        ? Number(buf.readBigUInt64BE(tfdt.payload + 4))
        : buf.readUInt32BE(tfdt.payload + 4);
    const runFlags = buf.readUInt32BE(trun.payload) & 0xffffff;
    const count = buf.readUInt32BE(trun.payload + 4);
    at = trun.payload + 8;
    if (runFlags & 0x01) at += 4;
    const firstFlags = (runFlags & 0x04) !== 0 ? field(true, 0) : undefined;
    for (let i = 0; i < count; i += 1) {
      const duration = field((runFlags & 0x100) !== 0, defaultDuration);
      const size = field((runFlags & 0x200) !== 0, defaultSize);
      const fallbackFlags = i === 0 && firstFlags !== undefined ? firstFlags : defaultFlags;
      const flags = field((runFlags & 0x400) !== 0, fallbackFlags);
      if (runFlags & 0x800) at += 4;
      samples.push({ ms: (time * 1000) / scale, bytes: size, key: (flags & 0x00010000) === 0 });
      time += duration;
    }
  }
  return samples;
}

export interface Amortised {
  /** Encoded bytes per hour in steady state (see below). */
  bytesPerHour: number;
  framesInWindow: number;
  meanKeyframeBytes: number;
}

/**
 * Bytes per hour in steady state from a short run: the non-key frames inside the window
 * as measured, plus keyframes at the rate the encoder puts them in (one per
 * `framesPerKeyframe` frames, or as many as fell in the window if more: scene cuts,
 * segments cut for size) at the run's mean keyframe size. A 30-60 s run cannot show the
 * keyframe rate of an hour, and its first keyframe is a once-per-recording cost.
 */
export function amortise(
  samples: readonly Sample[],
  window: { fromMs: number; toMs: number },
  framesPerKeyframe: number,
): Amortised {
  const keys = samples.filter((s) => s.key);
  const meanKeyframeBytes = keys.reduce((sum, s) => sum + s.bytes, 0) / Math.max(1, keys.length);
  const inside = samples.filter((s) => s.ms >= window.fromMs && s.ms < window.toMs);
  const deltaBytes = inside.filter((s) => !s.key).reduce((sum, s) => sum + s.bytes, 0);
  const keyframes = Math.max(inside.length / framesPerKeyframe, inside.filter((s) => s.key).length);
  const bytes = deltaBytes + keyframes * meanKeyframeBytes;
  const hours = (window.toMs - window.fromMs) / 3_600_000;
  return { bytesPerHour: bytes / hours, framesInWindow: inside.length, meanKeyframeBytes };
}
