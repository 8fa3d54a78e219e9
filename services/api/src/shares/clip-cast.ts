/**
 * A terminal clip as one asciicast document for a share link: the recording's header
 * (from its first segment) and the event lines of the clip's segments, rebased so the
 * clip starts at 0. Each segment is checked against its SHA-256 before its lines go out.
 */
import { Readable } from 'node:stream';
import type { CatalogSegment } from '@sessionrec/contracts';
import { castEvents, castHeader, type CastWindow } from '../recordings/asciicast';
import type { ObjectStreamer } from '../recordings/object-streamer';
import type { Access, RecordingCatalog, TimeRange } from '../recordings/recording-catalog';

const FALLBACK_HEADER = JSON.stringify({ version: 2, width: 80, height: 24 });

export async function clipCast(
  recordings: RecordingCatalog,
  streamer: ObjectStreamer,
  access: Access,
  recordingId: string,
  range: Required<TimeRange>,
  segments: readonly CatalogSegment[],
): Promise<Readable> {
  const first =
    segments[0]?.seq === 0
      ? segments[0]
      : (await recordings.segment(access, recordingId, 0)).segment;
  const firstBytes = first ? await streamer.readVerified(first) : undefined;
  const window: CastWindow = { originMs: first?.startMs ?? segments[0]?.startMs ?? 0, ...range };
  const header = firstBytes ? castHeader(firstBytes.toString('utf8'), window) : FALLBACK_HEADER;
  async function* lines(): AsyncGenerator<string> {
    yield `${header}\n`;
    for (const segment of segments) {
      const bytes =
        segment.seq === first?.seq && firstBytes
          ? firstBytes
          : await streamer.readVerified(segment);
      for (const line of castEvents(bytes.toString('utf8'), window)) yield `${line}\n`;
    }
  }
  return Readable.from(lines());
}
