/**
 * Just enough of ISO BMFF (MP4) box parsing to check that fixture segments are what a
 * player expects (ftyp/moov init, moof/mdat fragments starting on a keyframe) and to
 * renumber fragments when a recording loops over the fixtures.
 */
export class BoxFormatError extends Error {
  override readonly name = 'BoxFormatError';
}

export interface Box {
  readonly type: string;
  /** Offset of the box header in the buffer. */
  readonly start: number;
  /** Offset of the payload (after size, type and any 64-bit size). */
  readonly payload: number;
  readonly end: number;
}

/** The boxes directly inside [start, end) of the buffer. */
export function readBoxes(buf: Buffer, start = 0, end = buf.length): Box[] {
  const boxes: Box[] = [];
  let offset = start;
  while (offset < end) {
    if (end - offset < 8) throw new BoxFormatError(`truncated box header at ${offset}`);
    let size = buf.readUInt32BE(offset);
    const type = buf.toString('latin1', offset + 4, offset + 8);
    let payload = offset + 8;
    if (size === 1) {
      if (end - offset < 16) throw new BoxFormatError(`truncated large box at ${offset}`);
      size = Number(buf.readBigUInt64BE(offset + 8));
      payload = offset + 16;
    } else if (size === 0) {
      size = end - offset;
    }
    if (size < payload - offset || offset + size > end) {
      throw new BoxFormatError(`box '${type}' at ${offset} has a bad size ${size}`);
    }
    boxes.push({ type, start: offset, payload, end: offset + size });
    offset += size;
  }
  return boxes;
}

export function childBoxes(buf: Buffer, parent: Box): Box[] {
  return readBoxes(buf, parent.payload, parent.end);
}

export function findBox(boxes: readonly Box[], type: string): Box | undefined {
  return boxes.find((box) => box.type === type);
}

export function requireBox(boxes: readonly Box[], type: string, where: string): Box {
  const box = findBox(boxes, type);
  if (!box) throw new BoxFormatError(`no '${type}' box in ${where}`);
  return box;
}
