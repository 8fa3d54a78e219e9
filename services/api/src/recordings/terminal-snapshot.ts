/**
 * Loads what a terminal-state answer needs: the recording's header (its first segment)
 * and the segments before the moment, each checked against its SHA-256, replayed in
 * order into a TerminalReplay. Used by the recording's route and by a share's (which
 * starts the replay at its clip, so nothing before the clip is shown).
 */
import type { CatalogSegment } from '@sessionrec/contracts';
import type { ObjectStreamer } from './object-streamer';
import type { Access, RecordingCatalog } from './recording-catalog';
import { castHeader } from './asciicast';
import { TerminalReplay, type TerminalSize, type TerminalState } from './terminal-state';

const FALLBACK_SIZE: TerminalSize = { width: 80, height: 24 };

export interface SnapshotRequest {
  readonly access: Access;
  readonly recordingId: string;
  /** The segments that start at or before `atMs`, in sequence order. */
  readonly segments: readonly CatalogSegment[];
  readonly atMs: number;
  /** Output before this is not replayed (a share's clip start). */
  readonly fromMs?: number;
}

function headerSize(firstSegment: string): TerminalSize {
  const header = JSON.parse(castHeader(firstSegment, { originMs: 0 })) as Record<string, unknown>;
  return typeof header.width === 'number' && typeof header.height === 'number'
    ? { width: header.width, height: header.height }
    : FALLBACK_SIZE;
}

export async function terminalSnapshot(
  recordings: RecordingCatalog,
  streamer: ObjectStreamer,
  request: SnapshotRequest,
): Promise<TerminalState> {
  const { segments, atMs } = request;
  const first =
    segments[0]?.seq === 0
      ? segments[0]
      : (await recordings.segment(request.access, request.recordingId, 0)).segment;
  const firstBytes = first ? await streamer.readVerified(first) : undefined;
  const size = firstBytes ? headerSize(firstBytes.toString('utf8')) : FALLBACK_SIZE;
  const originMs = first?.startMs ?? segments[0]?.startMs ?? 0;
  const replay = new TerminalReplay(size, originMs, atMs, request.fromMs);
  try {
    for (const segment of segments) {
      if (segment.startMs > atMs) break;
      const bytes =
        segment.seq === first?.seq && firstBytes
          ? firstBytes
          : await streamer.readVerified(segment);
      await replay.feed(bytes.toString('utf8'));
    }
    return await replay.snapshot();
  } finally {
    replay.dispose();
  }
}
