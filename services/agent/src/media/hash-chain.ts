/**
 * The hash chain of a recording: every segment names its own SHA-256 and the previous
 * segment's, so ingest (and later `sessionrec verify`) can tell a missing or altered one.
 */
import { createHash } from 'node:crypto';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface ChainLink {
  readonly seq: number;
  readonly sha256: string;
  /** Absent for the first segment of a recording. */
  readonly prevSha256?: string;
}

/** Hands out sequence numbers and links for one recording, in upload order. */
export class HashChain {
  private nextSeq: number;
  private previous: string | undefined;

  constructor(firstSeq = 0) {
    this.nextSeq = firstSeq;
  }

  append(bytes: Uint8Array): ChainLink {
    const sha256 = sha256Hex(bytes);
    const link: ChainLink =
      this.previous === undefined
        ? { seq: this.nextSeq, sha256 }
        : { seq: this.nextSeq, sha256, prevSha256: this.previous };
    this.previous = sha256;
    this.nextSeq += 1;
    return link;
  }

  get length(): number {
    return this.nextSeq;
  }
}

/** Checks a list of links the way a verifier would; returns the first broken seq or null. */
export function firstBrokenLink(links: readonly ChainLink[]): number | null {
  let previous: string | undefined;
  for (const link of links) {
    if (link.prevSha256 !== previous) return link.seq;
    previous = link.sha256;
  }
  return null;
}
