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
/** A checkpoint is kept after at least this much output since the previous one. */
const CHECKPOINT_EVERY_CHARS = 64 * 1024;
/** Checkpoints kept in this process (their redraws' characters), oldest used dropped first. */
const CHECKPOINT_BUDGET_CHARS = 16 * 1024 * 1024;

interface Checkpoint {
  /** The screen after all the output of the segments before `seq`, and nothing else. */
  readonly state: TerminalState;
  /** The latest line time in that output: usable for any moment after it. */
  readonly lastAtMs: number;
}

/**
 * Screens at segment starts met while answering earlier requests, so a later moment of the
 * same recording replays only from the nearest one before it, not from the start. Keyed by
 * recording and segment; a recording's segments never change once stored.
 */
class Checkpoints {
  private readonly entries = new Map<string, Checkpoint>();
  private chars = 0;

  get(recordingId: string, seq: number): Checkpoint | undefined {
    const key = `${recordingId}:${seq}`;
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(recordingId: string, seq: number, entry: Checkpoint): void {
    const key = `${recordingId}:${seq}`;
    const old = this.entries.get(key);
    if (old) this.chars -= old.state.data.length;
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.chars += entry.state.data.length;
    for (const [k, e] of this.entries) {
      if (this.chars <= CHECKPOINT_BUDGET_CHARS) break;
      this.entries.delete(k);
      this.chars -= e.state.data.length;
    }
  }
}

const checkpoints = new Checkpoints();

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
  // Checkpoints hold whole recordings' output; a share replays its clip only.
  const cache = request.fromMs === undefined ? checkpoints : undefined;
  try {
    let start = 0;
    for (let i = segments.length - 1; cache && i > 0; i--) {
      const segment = segments[i];
      if (!segment || segment.startMs > atMs) continue;
      const found = cache.get(request.recordingId, segment.seq);
      if (found && found.lastAtMs < atMs) {
        await replay.restore(found.state, found.lastAtMs);
        start = i;
        break;
      }
    }
    for (let i = start; i < segments.length; i++) {
      const segment = segments[i];
      if (!segment || segment.startMs > atMs) break;
      // Everything before this segment is written, none of it held back by the moment:
      // the screen here is worth keeping for later requests.
      if (
        cache &&
        i > start &&
        !replay.reachedMoment &&
        replay.sinceCheckpoint >= CHECKPOINT_EVERY_CHARS
      ) {
        const state = await replay.snapshot();
        cache.set(request.recordingId, segment.seq, { state, lastAtMs: replay.lastAtMs });
        replay.sinceCheckpoint = 0;
      }
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
