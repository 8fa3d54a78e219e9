/**
 * Reads and rewrites the parts of fragmented MP4 (CMAF) segments the simulator cares
 * about: the init segment's timescale, each fragment's decode time, duration and first
 * sample's sync flag, and the numbers that must keep increasing when fixtures loop.
 */
import { type Box, BoxFormatError, childBoxes, readBoxes, requireBox } from './boxes';

const TFHD_BASE_DATA_OFFSET = 0x01;
const TFHD_SAMPLE_DESCRIPTION = 0x02;
const TFHD_DEFAULT_DURATION = 0x08;
const TFHD_DEFAULT_SIZE = 0x10;
const TFHD_DEFAULT_FLAGS = 0x20;
const TRUN_DATA_OFFSET = 0x01;
const TRUN_FIRST_FLAGS = 0x04;
const TRUN_DURATION = 0x100;
const TRUN_SIZE = 0x200;
const TRUN_FLAGS = 0x400;
const TRUN_CTS = 0x800;
/** sample_is_non_sync_sample in ISO/IEC 14496-12 sample flags. */
const NON_SYNC_SAMPLE = 0x00010000;

export interface InitInfo {
  readonly timescale: number;
}

export interface FragmentInfo {
  /** 'styp' or 'moof': what the segment starts with. */
  readonly firstBox: string;
  readonly sequenceNumber: number;
  readonly baseMediaDecodeTime: number;
  readonly duration: number;
  readonly sampleCount: number;
  readonly startsWithKeyframe: boolean;
}

function fullBoxFlags(buf: Buffer, box: Box): { version: number; flags: number } {
  const word = buf.readUInt32BE(box.payload);
  return { version: word >>> 24, flags: word & 0xffffff };
}

export function parseInit(buf: Buffer): InitInfo {
  const top = readBoxes(buf);
  if (top[0]?.type !== 'ftyp') throw new BoxFormatError('init segment does not start with ftyp');
  const moov = requireBox(top, 'moov', 'init segment');
  const trak = requireBox(childBoxes(buf, moov), 'trak', 'moov');
  const mdia = requireBox(childBoxes(buf, trak), 'mdia', 'trak');
  const mdhd = requireBox(childBoxes(buf, mdia), 'mdhd', 'mdia');
  const { version } = fullBoxFlags(buf, mdhd);
  const timescale = buf.readUInt32BE(mdhd.payload + 4 + (version === 1 ? 16 : 8));
  if (timescale === 0) throw new BoxFormatError('mdhd timescale is zero');
  return { timescale };
}

interface TrafParts {
  readonly tfhd: Box;
  readonly tfdt: Box;
  readonly trun: Box;
}

function trafParts(buf: Buffer, moof: Box): TrafParts {
  const traf = requireBox(childBoxes(buf, moof), 'traf', 'moof');
  const children = childBoxes(buf, traf);
  return {
    tfhd: requireBox(children, 'tfhd', 'traf'),
    tfdt: requireBox(children, 'tfdt', 'traf'),
    trun: requireBox(children, 'trun', 'traf'),
  };
}

function readTfhdDefaults(buf: Buffer, tfhd: Box): { duration?: number; flags?: number } {
  const { flags } = fullBoxFlags(buf, tfhd);
  let offset = tfhd.payload + 8;
  if (flags & TFHD_BASE_DATA_OFFSET) offset += 8;
  if (flags & TFHD_SAMPLE_DESCRIPTION) offset += 4;
  const defaults: { duration?: number; flags?: number } = {};
  if (flags & TFHD_DEFAULT_DURATION) {
    defaults.duration = buf.readUInt32BE(offset);
    offset += 4;
  }
  if (flags & TFHD_DEFAULT_SIZE) offset += 4;
  if (flags & TFHD_DEFAULT_FLAGS) defaults.flags = buf.readUInt32BE(offset);
  return defaults;
}

export function parseFragment(buf: Buffer): FragmentInfo {
  const top = readBoxes(buf);
  const firstBox = top[0]?.type ?? '';
  if (firstBox !== 'styp' && firstBox !== 'moof') {
    throw new BoxFormatError(`media segment starts with '${firstBox}', not styp or moof`);
  }
  const moof = requireBox(top, 'moof', 'media segment');
  requireBox(top, 'mdat', 'media segment');
  const mfhd = requireBox(childBoxes(buf, moof), 'mfhd', 'moof');
  const { tfhd, tfdt, trun } = trafParts(buf, moof);
  const tfdtVersion = fullBoxFlags(buf, tfdt).version;
  const baseMediaDecodeTime =
    tfdtVersion === 1
      ? Number(buf.readBigUInt64BE(tfdt.payload + 4))
      : buf.readUInt32BE(tfdt.payload + 4);

  const defaults = readTfhdDefaults(buf, tfhd);
  const { flags } = fullBoxFlags(buf, trun);
  const sampleCount = buf.readUInt32BE(trun.payload + 4);
  let offset = trun.payload + 8;
  if (flags & TRUN_DATA_OFFSET) offset += 4;
  let firstFlags: number | undefined;
  if (flags & TRUN_FIRST_FLAGS) {
    firstFlags = buf.readUInt32BE(offset);
    offset += 4;
  }
  let duration = 0;
  for (let i = 0; i < sampleCount; i += 1) {
    if (flags & TRUN_DURATION) {
      duration += buf.readUInt32BE(offset);
      offset += 4;
    } else if (defaults.duration !== undefined) {
      duration += defaults.duration;
    } else {
      throw new BoxFormatError('fragment has no sample durations');
    }
    if (flags & TRUN_SIZE) offset += 4;
    if (flags & TRUN_FLAGS) {
      if (i === 0 && firstFlags === undefined) firstFlags = buf.readUInt32BE(offset);
      offset += 4;
    }
    if (flags & TRUN_CTS) offset += 4;
  }
  firstFlags ??= defaults.flags;
  if (firstFlags === undefined) throw new BoxFormatError('fragment has no sample flags');
  return {
    firstBox,
    sequenceNumber: buf.readUInt32BE(mfhd.payload + 4),
    baseMediaDecodeTime,
    duration,
    sampleCount,
    startsWithKeyframe: (firstFlags & NON_SYNC_SAMPLE) === 0,
  };
}

/**
 * A copy of the fragment with a new decode time and fragment number (and the sidx's
 * earliest presentation time moved by the same amount), so a recording that loops
 * over the fixtures keeps a monotonic timeline.
 */
export function retimeFragment(
  buf: Buffer,
  shift: { decodeTimeOffset: number; sequenceNumber: number },
): Buffer {
  const out = Buffer.from(buf);
  const top = readBoxes(out);
  const moof = requireBox(top, 'moof', 'media segment');
  const mfhd = requireBox(childBoxes(out, moof), 'mfhd', 'moof');
  out.writeUInt32BE(shift.sequenceNumber, mfhd.payload + 4);
  const { tfdt } = trafParts(out, moof);
  addToTime(out, tfdt, 4, shift.decodeTimeOffset);
  const sidx = top.find((box) => box.type === 'sidx');
  if (sidx) addToTime(out, sidx, 12, shift.decodeTimeOffset);
  return out;
}

/** Adds to the v0 (32-bit) or v1 (64-bit) time field at `at` bytes into a full box. */
function addToTime(buf: Buffer, box: Box, at: number, delta: number): void {
  const position = box.payload + at;
  if (fullBoxFlags(buf, box).version === 1) {
    buf.writeBigUInt64BE(buf.readBigUInt64BE(position) + BigInt(delta), position);
    return;
  }
  const value = buf.readUInt32BE(position) + delta;
  if (value > 0xffffffff) throw new BoxFormatError(`'${box.type}' time overflows 32 bits`);
  buf.writeUInt32BE(value, position);
}
