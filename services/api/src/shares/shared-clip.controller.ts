/**
 * What a share link opens, without signing in: `GET /api/v1/share/{token}` (the clip's
 * kind, range, expiry and segment times; counted and audited as `share.open`), and the
 * clip's playlist, init and media segments, or its asciicast. The token authorises only
 * its own clip: a segment outside [from, to) is 404, any other route needs a sign-in,
 * and an unknown, malformed, expired or revoked token is 401.
 */
import { Controller, Get, Header, Headers, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { CatalogSegment } from '@sessionrec/contracts';
import type { FastifyReply } from 'fastify';
import { AuditService } from '../audit/audit.service';
import { Public } from '../auth/public.decorator';
import { ConflictError, NotFoundError, UnauthorizedError } from '../http/api-errors';
import { ObjectStreamer } from '../recordings/object-streamer';
import { buildPlaylist } from '../recordings/playlist';
import { type Access, RecordingCatalog } from '../recordings/recording-catalog';
import { segmentSeq, stateAt, timeRange } from '../recordings/recording-queries';
import { terminalSnapshot } from '../recordings/terminal-snapshot';
import type { TerminalState } from '../recordings/terminal-state';
import { clipCast } from './clip-cast';
import { hashShareToken, isWellFormedShareToken } from './share-token';
import { type ShareRow, SharesRepository } from './shares.repository';

/** A share authorises its clip itself: no viewing scope is applied. */
const SHARE_ACCESS: Access = {};
const VIEW_AUDIT_WINDOW_MS = 10 * 60_000;

interface Clip {
  readonly row: ShareRow;
  readonly fromMs: number;
  readonly toMs: number;
}

/** The catalogue's half-open overlap: the segments a clip of [from, to) plays. */
function inClip(segment: CatalogSegment, clip: Clip): boolean {
  return segment.endMs > clip.fromMs && segment.startMs < clip.toMs;
}

function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
}

@ApiTags('shares')
@Public()
@ApiParam({ name: 'token', description: 'the share token (srs_...)' })
@Controller('api/v1/share/:token')
export class SharedClipController {
  private readonly viewed = new Map<string, number>();

  constructor(
    private readonly shares: SharesRepository,
    private readonly recordings: RecordingCatalog,
    private readonly streamer: ObjectStreamer,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @Header('cache-control', 'no-store')
  @Header('referrer-policy', 'no-referrer')
  @ApiOperation({ summary: 'Open a share link: the clip it plays (audited as share.open)' })
  async open(@Param('token') token: string) {
    const clip = await this.clip(token);
    const { segments } = await this.load(clip);
    await this.shares.opened(clip.row.id);
    await this.audit.record({
      action: 'share.open',
      actor: { type: 'share-link', id: clip.row.id },
      target: { type: 'recording', id: clip.row.recording_id },
      details: { fromMs: clip.fromMs, toMs: clip.toMs, sharedBy: clip.row.created_by },
    });
    const spans =
      clip.row.kind === 'screen'
        ? segments.map((s) => ({ seq: s.seq, startMs: s.startMs, endMs: s.endMs }))
        : terminalSpan(segments, clip);
    return {
      kind: clip.row.kind,
      fromMs: clip.fromMs,
      toMs: clip.toMs,
      expiresAt: clip.row.expires_at.toISOString(),
      segments: spans,
    };
  }

  @Get('playlist.m3u8')
  @ApiOperation({ summary: "The shared clip's HLS playlist (screen recordings)" })
  @ApiProduces('application/vnd.apple.mpegurl')
  async playlist(@Param('token') token: string, @Res() reply: FastifyReply): Promise<void> {
    const clip = await this.clip(token);
    this.requireKind(clip, 'screen');
    const { detail, segments } = await this.load(clip);
    const last = segments[segments.length - 1];
    const body = buildPlaylist({
      live: detail.live && !(last && last.endMs >= clip.toMs),
      hasInit: detail.init !== undefined,
      segments,
      initUri: 'init.mp4',
      segmentUri: (seq) => `segments/${seq}.m4s`,
    });
    await this.viewedOnce(clip, 'hls');
    await noStore(reply)
      .status(200)
      .header('content-type', 'application/vnd.apple.mpegurl')
      .send(body);
  }

  @Get('init.mp4')
  @ApiOperation({ summary: "The shared clip's init segment" })
  @ApiProduces('video/mp4')
  async init(
    @Param('token') token: string,
    @Headers('range') range: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const clip = await this.clip(token);
    this.requireKind(clip, 'screen');
    const detail = await this.recordings.page({
      v: 1,
      ...SHARE_ACCESS,
      recordingId: clip.row.recording_id,
      limit: 1,
    });
    if (!detail.init) throw new NotFoundError('the init segment is not stored yet');
    await this.streamer.send(noStore(reply), detail.init, range);
  }

  @Get('segments/:seq')
  @ApiOperation({ summary: 'One media segment of the shared clip (404 outside it)' })
  @ApiParam({ name: 'seq', type: Number })
  async segment(
    @Param('token') token: string,
    @Param('seq') rawSeq: string,
    @Headers('range') range: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const clip = await this.clip(token);
    const seq = segmentSeq(rawSeq);
    const { segment } = await this.recordings.segment(SHARE_ACCESS, clip.row.recording_id, seq);
    if (!segment || !inClip(segment, clip)) {
      throw new NotFoundError(`segment ${seq} is not part of this shared clip`);
    }
    await this.streamer.send(noStore(reply), segment, range);
  }

  @Get('asciicast')
  @ApiOperation({ summary: 'The shared clip as asciicast (terminal); from/to narrow it' })
  @ApiProduces('application/x-asciicast')
  async asciicast(
    @Param('token') token: string,
    @Query() query: unknown,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const clip = await this.clip(token);
    this.requireKind(clip, 'terminal');
    const asked = timeRange(query);
    // Inside the clip only, whatever was asked.
    const fromMs = Math.min(Math.max(asked.fromMs ?? clip.fromMs, clip.fromMs), clip.toMs);
    const toMs = Math.max(Math.min(asked.toMs ?? clip.toMs, clip.toMs), fromMs);
    const window = { ...clip, fromMs, toMs };
    const { segments } = await this.load(window);
    const body = await clipCast(
      this.recordings,
      this.streamer,
      SHARE_ACCESS,
      clip.row.recording_id,
      { fromMs, toMs },
      segments,
    );
    await this.viewedOnce(clip, 'asciicast');
    await noStore(reply).status(200).header('content-type', 'application/x-asciicast').send(body);
  }

  @Get('terminal-state')
  @Header('cache-control', 'no-store')
  @Header('referrer-policy', 'no-referrer')
  @ApiOperation({
    summary:
      "The shared terminal clip's screen at `at`, from the clip's own output only (nothing before the clip)",
  })
  async terminalState(
    @Param('token') token: string,
    @Query() query: unknown,
  ): Promise<TerminalState> {
    const clip = await this.clip(token);
    this.requireKind(clip, 'terminal');
    const atMs = Math.min(Math.max(stateAt(query), clip.fromMs), clip.toMs);
    const { segments } = await this.load({ ...clip, toMs: atMs });
    const state = await terminalSnapshot(this.recordings, this.streamer, {
      access: SHARE_ACCESS,
      recordingId: clip.row.recording_id,
      segments,
      atMs,
      fromMs: clip.fromMs,
    });
    await this.viewedOnce(clip, 'asciicast');
    return state;
  }

  private async clip(token: string): Promise<Clip> {
    if (!isWellFormedShareToken(token)) {
      throw new UnauthorizedError('the share link is invalid, expired or revoked');
    }
    const row = await this.shares.valid(hashShareToken(token));
    if (!row) throw new UnauthorizedError('the share link is invalid, expired or revoked');
    return { row, fromMs: Number(row.from_ms), toMs: Number(row.to_ms) };
  }

  private async load(clip: Clip) {
    const loaded = await this.recordings.load(SHARE_ACCESS, clip.row.recording_id, {
      fromMs: clip.fromMs,
      toMs: clip.toMs,
    });
    return { detail: loaded.detail, segments: loaded.segments.filter((s) => inClip(s, clip)) };
  }

  private requireKind(clip: Clip, kind: 'screen' | 'terminal'): void {
    if (clip.row.kind !== kind) {
      throw new ConflictError(
        kind === 'screen' ? 'this clip is a terminal recording' : 'this clip is a screen recording',
      );
    }
  }

  /** recording.view by the link, once per share and format within ten minutes. */
  private async viewedOnce(clip: Clip, format: string): Promise<void> {
    const key = `${clip.row.id}:${format}`;
    const now = Date.now();
    const last = this.viewed.get(key);
    if (last !== undefined && now - last < VIEW_AUDIT_WINDOW_MS) return;
    if (this.viewed.size > 50_000) this.viewed.clear();
    this.viewed.set(key, now);
    await this.audit.record({
      action: 'recording.view',
      actor: { type: 'share-link', id: clip.row.id },
      target: { type: 'recording', id: clip.row.recording_id },
      details: { format, fromMs: clip.fromMs, toMs: clip.toMs },
    });
  }
}

/** A terminal clip plays as one span: the part of [from, to) its segments cover. */
function terminalSpan(segments: readonly CatalogSegment[], clip: Clip) {
  const first = segments[0];
  const last = segments[segments.length - 1];
  if (!first || !last) return [];
  return [
    {
      seq: first.seq,
      startMs: Math.max(clip.fromMs, first.startMs),
      endMs: Math.min(clip.toMs, last.endMs),
    },
  ];
}
