/**
 * The HLS (version 7) playlist of a screen recording: its CMAF init segment as
 * EXT-X-MAP and one EXTINF per fMP4 segment, timed from the catalogue. A live recording
 * is an EVENT playlist without ENDLIST, so players keep polling while it grows; a stopped
 * one is VOD with ENDLIST. Missing segments (gaps) and jumps in time are marked with
 * EXT-X-DISCONTINUITY so players reset their timeline instead of stalling.
 */
export interface PlaylistSegment {
  readonly seq: number;
  readonly startMs: number;
  readonly endMs: number;
}

export interface PlaylistInput {
  readonly live: boolean;
  readonly hasInit: boolean;
  readonly segments: readonly PlaylistSegment[];
  /** URI of the init segment, relative to the playlist. */
  readonly initUri: string;
  readonly segmentUri: (seq: number) => string;
}

/** A later segment that starts this much after the previous one ended is a discontinuity. */
const TIME_JUMP_MS = 1000;

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

export function buildPlaylist(input: PlaylistInput): string {
  // Media segments cannot be decoded without the init segment: list none until it is stored.
  const segments = input.hasInit ? [...input.segments].sort((a, b) => a.seq - b.seq) : [];
  const longestMs = segments.reduce((max, s) => Math.max(max, s.endMs - s.startMs), 1000);
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${Math.ceil(longestMs / 1000)}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    `#EXT-X-PLAYLIST-TYPE:${input.live ? 'EVENT' : 'VOD'}`,
    '#EXT-X-INDEPENDENT-SEGMENTS',
  ];
  if (input.hasInit) lines.push(`#EXT-X-MAP:URI="${input.initUri}"`);
  let previous: PlaylistSegment | undefined;
  for (const segment of segments) {
    if (
      previous &&
      (segment.seq !== previous.seq + 1 || segment.startMs - previous.endMs > TIME_JUMP_MS)
    ) {
      lines.push('#EXT-X-DISCONTINUITY');
    }
    lines.push(
      `#EXTINF:${seconds(segment.endMs - segment.startMs)},`,
      input.segmentUri(segment.seq),
    );
    previous = segment;
  }
  if (!input.live) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}
