/**
 * The desktop recording source of the simulator: real H.264 CMAF made once with ffmpeg
 * (fixtures/make-fixtures.sh), replayed in a loop with fragments retimed so a long
 * recording is still one continuous, playable timeline.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { BoxFormatError } from './boxes';
import { type FragmentInfo, parseFragment, parseInit, retimeFragment } from './fmp4';

export const DEFAULT_DESKTOP_FIXTURES = path.resolve(__dirname, '../../fixtures/desktop');

export interface MediaSegment {
  readonly bytes: Buffer;
  /** Media time of the segment within the recording, in milliseconds. */
  readonly startMs: number;
  readonly endMs: number;
}

export class DesktopFixtures {
  private constructor(
    readonly init: Buffer,
    private readonly timescale: number,
    private readonly fragments: readonly { bytes: Buffer; info: FragmentInfo }[],
    /** Decode-time length of one pass over every fragment. */
    private readonly loopDuration: number,
    private readonly firstDecodeTime: number,
  ) {}

  static async load(dir = DEFAULT_DESKTOP_FIXTURES): Promise<DesktopFixtures> {
    const names = (await readdir(dir)).filter((name) => /^\d{4}\.m4s$/.test(name)).sort();
    if (names.length === 0) throw new BoxFormatError(`no media segments (NNNN.m4s) in ${dir}`);
    const init = await readFile(path.join(dir, 'init.mp4'));
    const { timescale } = parseInit(init);
    const fragments = await Promise.all(
      names.map(async (name) => {
        const bytes = await readFile(path.join(dir, name));
        const info = parseFragment(bytes);
        if (!info.startsWithKeyframe) {
          throw new BoxFormatError(`${name} does not start with a keyframe`);
        }
        return { bytes, info };
      }),
    );
    const first = fragments[0]!.info;
    const last = fragments[fragments.length - 1]!.info;
    const loopDuration = last.baseMediaDecodeTime + last.duration - first.baseMediaDecodeTime;
    return new DesktopFixtures(init, timescale, fragments, loopDuration, first.baseMediaDecodeTime);
  }

  get fragmentCount(): number {
    return this.fragments.length;
  }

  /** The index-th media segment of a recording (0-based), looping over the fixtures. */
  segment(index: number): MediaSegment {
    const fragment = this.fragments[index % this.fragments.length]!;
    const pass = Math.floor(index / this.fragments.length);
    const decodeTimeOffset = pass * this.loopDuration;
    const bytes =
      pass === 0
        ? fragment.bytes
        : retimeFragment(fragment.bytes, {
            decodeTimeOffset,
            sequenceNumber: index + 1,
          });
    const start = fragment.info.baseMediaDecodeTime + decodeTimeOffset - this.firstDecodeTime;
    return {
      bytes,
      startMs: Math.round((start * 1000) / this.timescale),
      endMs: Math.round(((start + fragment.info.duration) * 1000) / this.timescale),
    };
  }
}
