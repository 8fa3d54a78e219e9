/**
 * What playback needs from the catalogue about one recording, asked of the indexer:
 * one page, all pages of a time range, or one segment by sequence number. Every question
 * carries the asker's access (their viewing scope, or a share's own authority), so a
 * recording they may not view is "not in the catalogue".
 */
import { Injectable } from '@nestjs/common';
import type {
  CatalogRecordingDetail,
  CatalogRecordingRequest,
  CatalogSegment,
  ViewingScope,
} from '@sessionrec/contracts';
import { CatalogClient } from '../catalog/catalog.client';
import { NotFoundError, ValidationError } from '../http/api-errors';

/**
 * On whose authority a recording is read: a signed-in person's viewing scope (from
 * ViewingAccess.scopeFields; no scope = unrestricted), or `{}` for a share link, which
 * authorises its one clip itself.
 */
export interface Access {
  readonly scope?: ViewingScope;
}

export interface TimeRange {
  readonly fromMs?: number;
  readonly toMs?: number;
}

export interface LoadedRecording {
  readonly detail: CatalogRecordingDetail;
  /** Every segment overlapping the range, in sequence order. */
  readonly segments: readonly CatalogSegment[];
}

/** Segments one playlist or export may cover (a day of 4-second segments is 21,600). */
const MAX_SEGMENTS = 100_000;
const PAGE = 2000;

function rangeFields(range: TimeRange): Partial<CatalogRecordingRequest> {
  return {
    ...(range.fromMs !== undefined ? { fromMs: range.fromMs } : {}),
    ...(range.toMs !== undefined ? { toMs: range.toMs } : {}),
  };
}

@Injectable()
export class RecordingCatalog {
  constructor(private readonly catalog: CatalogClient) {}

  async page(request: CatalogRecordingRequest): Promise<CatalogRecordingDetail> {
    const reply = await this.catalog.ask('catalog.recording', request);
    if (!reply.recording) {
      throw new NotFoundError(`recording ${request.recordingId} is not in the catalogue`);
    }
    return reply.recording;
  }

  async load(access: Access, recordingId: string, range: TimeRange = {}): Promise<LoadedRecording> {
    const segments: CatalogSegment[] = [];
    let detail: CatalogRecordingDetail | undefined;
    let afterSeq: number | undefined;
    for (;;) {
      const page = await this.page({
        v: 1,
        ...access,
        recordingId,
        ...rangeFields(range),
        ...(afterSeq !== undefined ? { afterSeq } : {}),
        limit: PAGE,
      });
      detail ??= page;
      segments.push(...page.segments);
      if (segments.length > MAX_SEGMENTS) {
        throw new ValidationError(
          `the range covers more than ${MAX_SEGMENTS} segments; ask for a shorter one with from/to`,
        );
      }
      if (page.nextAfterSeq === undefined || page.segments.length === 0) break;
      afterSeq = page.nextAfterSeq;
    }
    return { detail, segments };
  }

  /** The recording and its segment `seq` (undefined when the catalogue has no such segment). */
  async segment(
    access: Access,
    recordingId: string,
    seq: number,
  ): Promise<{ detail: CatalogRecordingDetail; segment: CatalogSegment | undefined }> {
    const detail = await this.page({
      v: 1,
      ...access,
      recordingId,
      ...(seq > 0 ? { afterSeq: seq - 1 } : {}),
      limit: 1,
    });
    const segment = detail.segments[0];
    return { detail, segment: segment?.seq === seq ? segment : undefined };
  }
}
