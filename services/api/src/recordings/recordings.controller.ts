/**
 * Playback and export of recordings: the catalogue entry, the HLS playlist with its init
 * and fMP4 segments (Range supported), terminal recordings as one asciicast document,
 * and clips as a single MP4 or .cast. Catalogue facts come from the indexer; the bytes
 * come straight from the object store. Openings and exports are audited.
 */
import { Readable } from 'node:stream';
import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { CatalogRecordingDetail, CatalogSegment } from '@sessionrec/contracts';
import type { FastifyReply } from 'fastify';
import { AuditService } from '../audit/audit.service';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/roles';
import { ConflictError, NotFoundError } from '../http/api-errors';
import { castEvents, castHeader, type CastWindow } from './asciicast';
import { ClipExporter } from './clip-exporter';
import { ObjectStreamer } from './object-streamer';
import { buildPlaylist } from './playlist';
import { ViewingAccess } from '../viewing/viewing-access';
import { type Access, RecordingCatalog, type TimeRange } from './recording-catalog';
import { detailQueryOf, recordingId, segmentSeq, stateAt, timeRange } from './recording-queries';
import { terminalSnapshot } from './terminal-snapshot';
import type { TerminalState } from './terminal-state';
import { ViewAudit } from './view-audit';

const FALLBACK_CAST_HEADER = JSON.stringify({ version: 2, width: 80, height: 24 });

function requireKind(detail: CatalogRecordingDetail, kind: 'screen' | 'terminal'): void {
  if (detail.kind !== kind) {
    throw new ConflictError(
      kind === 'screen'
        ? 'this is a terminal recording: play it as asciicast'
        : 'this is a screen recording: play it through its HLS playlist',
    );
  }
}

function rangeDetails(range: TimeRange): Record<string, number | null> {
  return { fromMs: range.fromMs ?? null, toMs: range.toMs ?? null };
}

function fileName(id: string, range: TimeRange, ext: string): string {
  const clip =
    range.fromMs !== undefined || range.toMs !== undefined
      ? `-${range.fromMs ?? 'start'}-${range.toMs ?? 'end'}`
      : '';
  return `recording-${id}${clip}.${ext}`;
}

const rangeQueries = [
  ApiQuery({ name: 'from', required: false, description: 'session-relative milliseconds' }),
  ApiQuery({ name: 'to', required: false, description: 'session-relative milliseconds' }),
];

function WithRange() {
  return (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
    for (const decorate of rangeQueries) decorate(target, key, descriptor);
  };
}

@ApiTags('recordings')
@ApiBearerAuth()
@ApiParam({ name: 'recordingId', format: 'uuid' })
@Controller('api/v1/recordings/:recordingId')
export class RecordingsController {
  constructor(
    private readonly recordings: RecordingCatalog,
    private readonly streamer: ObjectStreamer,
    private readonly exporter: ClipExporter,
    private readonly views: ViewAudit,
    private readonly audit: AuditService,
    private readonly viewing: ViewingAccess,
  ) {}

  @Get()
  @ApiOperation({ summary: "A recording's catalogue entry: segments (paged), gaps, liveness" })
  @WithRange()
  @ApiQuery({ name: 'afterSeq', required: false })
  @ApiQuery({ name: 'limit', required: false })
  async detail(
    @Param('recordingId') rawId: string,
    @Query() query: unknown,
    @CurrentUser() principal: Principal,
  ) {
    const id = recordingId(rawId);
    const q = detailQueryOf(query);
    const access = await this.viewing.scopeFields(principal);
    return this.recordings.page({ v: 1, ...access, recordingId: id, ...q, limit: q.limit ?? 1000 });
  }

  @Get('playlist.m3u8')
  @ApiOperation({ summary: 'HLS playlist of a screen recording (EVENT while live, VOD after)' })
  @ApiProduces('application/vnd.apple.mpegurl')
  @WithRange()
  async playlist(
    @Param('recordingId') rawId: string,
    @Query() query: unknown,
    @CurrentUser() principal: Principal,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const id = recordingId(rawId);
    const range = timeRange(query);
    const access = await this.viewing.scopeFields(principal);
    const { detail, segments } = await this.recordings.load(access, id, range);
    requireKind(detail, 'screen');
    const last = segments[segments.length - 1];
    // A clip whose end the recording has already passed will not grow any more.
    const live = detail.live && !(range.toMs !== undefined && last && last.endMs >= range.toMs);
    const body = buildPlaylist({
      live,
      hasInit: detail.init !== undefined,
      segments,
      initUri: 'init.mp4',
      segmentUri: (seq) => `segments/${seq}.m4s`,
    });
    await this.views.viewed(principal, id, { format: 'hls', ...rangeDetails(range) });
    await reply
      .status(200)
      .header('content-type', 'application/vnd.apple.mpegurl')
      .header('cache-control', 'no-cache')
      .send(body);
  }

  @Get('init.mp4')
  @ApiOperation({ summary: 'The CMAF init segment of a screen recording (Range supported)' })
  @ApiProduces('video/mp4')
  async init(
    @Param('recordingId') rawId: string,
    @Headers('range') range: string | undefined,
    @CurrentUser() principal: Principal,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const id = recordingId(rawId);
    const access = await this.viewing.scopeFields(principal);
    const detail = await this.recordings.page({ v: 1, ...access, recordingId: id, limit: 1 });
    requireKind(detail, 'screen');
    if (!detail.init) throw new NotFoundError('the init segment is not stored yet');
    await this.streamer.send(reply, detail.init, range);
  }

  @Get('segments/:seq')
  @ApiOperation({ summary: 'One segment (fMP4 or asciicast), Range supported' })
  @ApiParam({ name: 'seq', type: Number })
  async segment(
    @Param('recordingId') rawId: string,
    @Param('seq') rawSeq: string,
    @Headers('range') range: string | undefined,
    @CurrentUser() principal: Principal,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const id = recordingId(rawId);
    const seq = segmentSeq(rawSeq);
    const access = await this.viewing.scopeFields(principal);
    const { segment } = await this.recordings.segment(access, id, seq);
    if (!segment) throw new NotFoundError(`segment ${seq} of recording ${id} is not catalogued`);
    await this.streamer.send(reply, segment, range);
  }

  @Get('asciicast')
  @ApiOperation({ summary: 'A terminal recording (or clip) as one asciicast v2 document' })
  @ApiProduces('application/x-asciicast')
  @WithRange()
  async asciicast(
    @Param('recordingId') rawId: string,
    @Query() query: unknown,
    @CurrentUser() principal: Principal,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const id = recordingId(rawId);
    const range = timeRange(query);
    const access = await this.viewing.scopeFields(principal);
    const body = await this.castDocument(access, id, range);
    await this.views.viewed(principal, id, { format: 'asciicast', ...rangeDetails(range) });
    await reply
      .status(200)
      .header('content-type', 'application/x-asciicast')
      .header('cache-control', 'no-cache')
      .send(body);
  }

  @Get('terminal-state')
  @ApiOperation({
    summary:
      'The screen of a terminal recording at `at` (session ms), as escape sequences that redraw it: the player seeks exactly, then plays the asciicast from `at`',
  })
  @ApiQuery({ name: 'at', required: true, description: 'session-relative milliseconds' })
  async terminalState(
    @Param('recordingId') rawId: string,
    @Query() query: unknown,
    @CurrentUser() principal: Principal,
  ): Promise<TerminalState> {
    const id = recordingId(rawId);
    const atMs = stateAt(query);
    const access = await this.viewing.scopeFields(principal);
    const { detail, segments } = await this.recordings.load(access, id, { toMs: atMs });
    requireKind(detail, 'terminal');
    const state = await terminalSnapshot(this.recordings, this.streamer, {
      access,
      recordingId: id,
      segments,
      atMs,
    });
    await this.views.viewed(principal, id, { format: 'terminal-state', fromMs: null, toMs: atMs });
    return state;
  }

  @Get('export')
  @ApiOperation({
    summary: 'A clip as one MP4 (screen, remuxed without re-encoding) or .cast (terminal)',
  })
  @ApiProduces('video/mp4', 'application/x-asciicast')
  @WithRange()
  async export(
    @Param('recordingId') rawId: string,
    @Query() query: unknown,
    @CurrentUser() principal: Principal,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const id = recordingId(rawId);
    const range = timeRange(query);
    const release = this.exporter.acquire();
    try {
      const access = await this.viewing.scopeFields(principal);
      const { detail, segments } = await this.recordings.load(access, id, range);
      if (detail.kind === 'terminal') {
        const body = await this.castDocument(access, id, range, { detail, segments });
        body.once('close', release);
        await this.audit.byUser(
          principal,
          'recording.export',
          { type: 'recording', id },
          {
            format: 'cast',
            ...rangeDetails(range),
          },
        );
        await reply
          .status(200)
          .header('content-type', 'application/x-asciicast')
          .header('content-disposition', `attachment; filename="${fileName(id, range, 'cast')}"`)
          .send(body);
        return;
      }
      if (!detail.init) throw new NotFoundError('the init segment is not stored yet');
      if (segments.length === 0) throw new NotFoundError('no segments in the requested range');
      const file = await this.exporter.exportMp4(detail.init, segments);
      await this.audit.byUser(
        principal,
        'recording.export',
        { type: 'recording', id },
        {
          format: 'mp4',
          segments: segments.length,
          firstSeq: segments[0]?.seq ?? null,
          lastSeq: segments[segments.length - 1]?.seq ?? null,
          ...rangeDetails(range),
        },
      );
      await reply
        .status(200)
        .header('content-type', 'video/mp4')
        .header('content-length', String(file.size))
        .header('content-disposition', `attachment; filename="${fileName(id, range, 'mp4')}"`)
        .send(ClipExporter.stream(file, release));
    } catch (err) {
      release();
      throw err;
    }
  }

  /**
   * The asciicast document as a stream. The header is read before anything is sent, so a
   * missing or wrong recording still gets a clean error answer.
   */
  private async castDocument(
    access: Access,
    id: string,
    range: TimeRange,
    loaded?: { detail: CatalogRecordingDetail; segments: readonly CatalogSegment[] },
  ): Promise<Readable> {
    const { detail, segments } = loaded ?? (await this.recordings.load(access, id, range));
    requireKind(detail, 'terminal');
    const first =
      segments[0]?.seq === 0 ? segments[0] : (await this.recordings.segment(access, id, 0)).segment;
    const firstBytes = first ? await this.streamer.readVerified(first) : undefined;
    const window: CastWindow = {
      originMs: first?.startMs ?? segments[0]?.startMs ?? 0,
      ...range,
    };
    const header = firstBytes
      ? castHeader(firstBytes.toString('utf8'), window)
      : FALLBACK_CAST_HEADER;
    const streamer = this.streamer;
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
}
