/**
 * Segment upload: verify, store, announce, record. Order matters for "nothing
 * acknowledged is lost, nothing half-written": the object is stored first (conditional
 * create, so a retry is a no-op and different bytes are a conflict), then `segment.stored`
 * is published and acknowledged by JetStream, then the row is written. A failure at any
 * step leaves at most an unannounced object or an unrecorded announcement, which the
 * agent's retry completes. An in-order upload costs one database round trip and holds no
 * transaction while it waits on the store or NATS.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { agentProtocol } from '@sessionrec/contracts';
import { Messaging } from '@sessionrec/messaging';
import { OBJECT_STORE } from '@sessionrec/runtime';
import {
  contentTypeForKey,
  initSegmentKey,
  InvalidArgumentError,
  InvalidKeyError,
  ObjectConflictError,
  ObjectIntegrityError,
  type ObjectStore,
  segmentKey,
} from '@sessionrec/storage';
import type { z } from 'zod';
import { sha256Hex } from '../auth/credentials';
import { ResourceConflictError, ValidationError } from '../http/api-errors';
import { StoreUnavailableError, withTimeout } from '../http/store-errors';
import { INGEST_CONFIG, type IngestConfig } from '../ingest-config';
import { ownRecording } from './ownership';
import { BoundedMap, type RecordingIdentity } from './identity-cache';
import { RecordsRepository } from './records.repository';
import { SecurityEvents } from './security-events';
import { timed } from './stage-timing';

export type SegmentHeaders = z.output<typeof agentProtocol.segmentUploadHeaders>;

export interface SegmentResult {
  recordingId: string;
  seq: number;
  key: string;
  sha256: string;
  size: number;
  /** false: these exact bytes were already stored and announced. */
  created: boolean;
}

/** What the chain check needs of a stored segment. */
interface ChainLink {
  sha256: string;
  prev_sha256: string | null;
}

/** Recordings whose last stored segment this process remembers. */
const TAIL_ENTRIES = 100_000;

@Injectable()
export class SegmentService {
  private readonly tails = new BoundedMap<string, { seq: number; sha256: string }>(TAIL_ENTRIES);

  constructor(
    private readonly records: RecordsRepository,
    private readonly messaging: Messaging,
    private readonly security: SecurityEvents,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    @Inject(INGEST_CONFIG) private readonly config: IngestConfig,
  ) {}

  async upload(
    agentId: string,
    recordingId: string,
    seq: number,
    headers: SegmentHeaders,
    body: Buffer,
  ): Promise<SegmentResult> {
    if (body.length === 0) throw new ValidationError('body: a segment cannot be empty');
    // The body is hashed once, by the store, which refuses it before anything is written
    // when it does not match this claim. The paths that act on the claim without storing
    // (already stored, conflict, broken chain) check it themselves first.
    const sha256 = headers['x-segment-sha256'];
    if (headers['x-segment-end-ms'] < headers['x-segment-start-ms']) {
      throw new ValidationError('headers.x-segment-end-ms: must not be before x-segment-start-ms');
    }
    const prevSha256 = headers['x-segment-prev-sha256'];
    if (seq === 0 && prevSha256 !== undefined) {
      throw new ValidationError(
        'headers.x-segment-prev-sha256: the first segment has no previous one',
      );
    }
    const recording = ownRecording(
      await this.records.recordingIdentity(recordingId),
      agentId,
      recordingId,
    );
    const key = this.keyOf(recording, seq, headers['x-segment-kind']);
    const size = body.length;
    const result = { recordingId, seq, key, sha256, size };

    const known = await this.neighbours(recordingId, seq);
    const existing = known.get(seq);
    if (existing) {
      assertBodyMatches(body, sha256);
      // The row exists only after the announcement was acknowledged: nothing left to do.
      if (existing.sha256 === sha256) return { ...result, created: false };
      await this.conflict(agentId, recordingId, seq, existing.sha256, sha256);
    }
    await this.checkChain(agentId, recordingId, seq, body, sha256, prevSha256, known);

    // The store decides between concurrent uploads of one sequence: different bytes lose
    // with a conflict; the same bytes (a retry after an interrupted attempt) go on to
    // finish the announcement and the row.
    await timed('segment.store', () => this.put(agentId, recordingId, seq, key, body, sha256));

    if (seq > 0 && !known.has(seq - 1)) await this.reportGap(recording, agentId, seq);
    await timed('segment.publish', () =>
      this.messaging.publish('segment.stored', {
        v: 1,
        recordingId,
        sessionId: recording.session_id,
        agentId,
        seq,
        kind: headers['x-segment-kind'],
        key,
        size,
        sha256,
        ...(prevSha256 !== undefined ? { prevSha256 } : {}),
        startMs: headers['x-segment-start-ms'],
        endMs: headers['x-segment-end-ms'],
        storedAt: new Date().toISOString(),
      }),
    );
    // Announced first, recorded second: a row therefore always means "announced", and a
    // crash in between is completed by the agent's retry (the publish is de-duplicated).
    const inserted = await timed('segment.row', () =>
      this.records.insertSegment({
        recordingId,
        seq,
        kind: headers['x-segment-kind'],
        sha256,
        prevSha256,
        size,
        key,
        startMs: headers['x-segment-start-ms'],
        endMs: headers['x-segment-end-ms'],
      }),
    );
    this.rememberTail(recordingId, seq, sha256);
    return { ...result, created: inserted };
  }

  /**
   * The stored segments at seq-1, seq and seq+1. An agent uploads in order, so the usual
   * case is the segment right after the last one this process stored: then the
   * predecessor's hash is known from memory and the database is not asked; so is the
   * first segment of a recording this process created (it had none). Anything else
   * (a retry, a gap, another ingest instance's segments) reads the rows. The store's
   * conditional create still refuses different bytes for a sequence either way.
   */
  private async neighbours(recordingId: string, seq: number): Promise<Map<number, ChainLink>> {
    const tail = this.tails.get(recordingId);
    if (tail && tail.seq === seq - 1) {
      return new Map([[tail.seq, { sha256: tail.sha256, prev_sha256: null }]]);
    }
    if (!tail && seq === 0 && this.records.recordingCreatedHere(recordingId)) return new Map();
    return this.records.findSegments(recordingId, [seq - 1, seq, seq + 1]);
  }

  private rememberTail(recordingId: string, seq: number, sha256: string): void {
    const tail = this.tails.get(recordingId);
    if (!tail || seq > tail.seq) this.tails.set(recordingId, { seq, sha256 });
  }

  /**
   * Sequences below `seq` that never arrived: recorded and announced, not hidden. A late
   * segment inside a known gap (a higher one is stored) adds no new gap; the gap row stays
   * as the record that it came out of order.
   */
  private async reportGap(
    recording: RecordingIdentity,
    agentId: string,
    seq: number,
  ): Promise<void> {
    const highest = await this.records.highestSeqOtherThan(recording.id, seq);
    const expectedNext = highest === undefined ? 0 : highest + 1;
    if (seq <= expectedNext) return;
    await this.messaging.publish('segment.gap', {
      v: 1,
      recordingId: recording.id,
      sessionId: recording.session_id,
      agentId,
      fromSeq: expectedNext,
      toSeq: seq - 1,
      detectedAt: new Date().toISOString(),
    });
    await this.records.insertGap(undefined, recording.id, expectedNext, seq - 1);
  }

  /** Screen recordings: init.mp4 at 0, media from 1. Terminal recordings: cast from 0. */
  private keyOf(
    recording: RecordingIdentity,
    seq: number,
    kind: SegmentHeaders['x-segment-kind'],
  ): string {
    const startedAt = new Date(recording.started_at);
    if (recording.kind === 'terminal') {
      if (kind !== 'cast') {
        throw new ValidationError(
          'headers.x-segment-kind: a terminal recording takes cast segments',
        );
      }
      return segmentKey(recording.id, startedAt, seq, 'cast');
    }
    if (kind === 'init') {
      if (seq !== 0) throw new ValidationError('headers.x-segment-kind: init is only sequence 0');
      return initSegmentKey(recording.id, startedAt);
    }
    if (kind !== 'media' || seq === 0) {
      throw new ValidationError(
        'headers.x-segment-kind: a screen recording takes init at 0, then media segments',
      );
    }
    return segmentKey(recording.id, startedAt, seq, 'm4s');
  }

  private async checkChain(
    agentId: string,
    recordingId: string,
    seq: number,
    body: Buffer,
    sha256: string,
    prevSha256: string | undefined,
    known: Map<number, ChainLink>,
  ): Promise<void> {
    const previous = known.get(seq - 1);
    const next = known.get(seq + 1);
    const brokenBefore = previous !== undefined && previous.sha256 !== prevSha256;
    const brokenAfter = next?.prev_sha256 != null && next.prev_sha256 !== sha256;
    if (!brokenBefore && !brokenAfter) return;
    // A security event is raised on what the body really is, not on an unchecked claim.
    assertBodyMatches(body, sha256);
    await this.security.report({
      action: 'segment.chain-mismatch',
      agentId,
      recordingId,
      seq,
      details: {
        sha256,
        claimedPrevSha256: prevSha256 ?? null,
        storedPrevSha256: previous?.sha256 ?? null,
        nextPrevSha256: next?.prev_sha256 ?? null,
      },
    });
    throw new ResourceConflictError(
      `segment ${seq} does not chain to its neighbours: x-segment-prev-sha256 must be the SHA-256 of segment ${seq - 1}`,
      'chain_mismatch',
    );
  }

  private async conflict(
    agentId: string,
    recordingId: string,
    seq: number,
    storedSha256: string | undefined,
    attemptedSha256: string,
  ): Promise<never> {
    await this.security.report({
      action: 'segment.conflict',
      agentId,
      recordingId,
      seq,
      details: { storedSha256: storedSha256 ?? null, attemptedSha256 },
    });
    throw new ResourceConflictError(
      `segment ${seq} of recording ${recordingId} is already stored with different content`,
      'segment_conflict',
    );
  }

  private async put(
    agentId: string,
    recordingId: string,
    seq: number,
    key: string,
    body: Buffer,
    sha256: string,
  ): Promise<void> {
    try {
      await withTimeout(
        this.store.putIfAbsent(key, body, {
          sha256,
          contentLength: body.length,
          contentType: contentTypeForKey(key),
          // Nothing reads the body after it is stored: its memory can move to the write thread.
          handOver: true,
        }),
        this.config.INGEST_STORE_TIMEOUT_MS,
        'object store write',
      );
    } catch (err) {
      if (err instanceof ObjectConflictError) {
        await this.conflict(agentId, recordingId, seq, err.existingSha256, sha256);
      }
      if (err instanceof ObjectIntegrityError) throw new ValidationError(SHA256_MISMATCH);
      if (err instanceof InvalidKeyError || err instanceof InvalidArgumentError) {
        throw new ValidationError(`body: ${err.message}`);
      }
      if (err instanceof StoreUnavailableError) throw err;
      throw new StoreUnavailableError(`object store write failed: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
}

const SHA256_MISMATCH = 'headers.x-segment-sha256: does not match the SHA-256 of the body';

function assertBodyMatches(body: Buffer, sha256: string): void {
  if (sha256Hex(body) !== sha256) throw new ValidationError(SHA256_MISMATCH);
}
