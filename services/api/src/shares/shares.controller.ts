/**
 * Share links, for signed-in people: `POST /api/v1/recordings/{id}/shares {from,to,expiresAt}`
 * makes a link to a clip (its token is returned once), `GET` lists a recording's shares,
 * `DELETE .../shares/{shareId}` revokes one (its creator or an admin). Only someone who
 * may view the recording may share it or see its shares; each create and revoke is audited.
 */
import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AuditService } from '../audit/audit.service';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/roles';
import { ApiError, NotFoundError } from '../http/api-errors';
import { decode, uuidParam } from '../http/validate';
import { recordingId } from '../recordings/recording-queries';
import { RecordingReadAccess } from './recording-read-access';
import { shareRequest } from './share-request';
import { hashShareToken, newShareToken } from './share-token';
import { SharesRepository, shareView } from './shares.repository';

export class ShareRevokeForbiddenError extends ApiError {
  constructor() {
    super(403, 'forbidden', 'only the person who made a share or an admin may revoke it');
  }
}

@ApiTags('shares')
@ApiBearerAuth()
@ApiParam({ name: 'recordingId', format: 'uuid' })
@Controller('api/v1/recordings/:recordingId/shares')
export class SharesController {
  constructor(
    private readonly shares: SharesRepository,
    private readonly access: RecordingReadAccess,
    private readonly audit: AuditService,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Share a clip: a link that plays only [from, to) until expiresAt' })
  async create(
    @Param('recordingId') rawId: string,
    @Body() body: unknown,
    @CurrentUser() principal: Principal,
  ) {
    const id = recordingId(rawId);
    const request = shareRequest(body);
    const recording = await this.access.mayRead(principal, id);
    const token = newShareToken();
    const row = await this.shares.insert({
      tokenHash: hashShareToken(token),
      recordingId: id,
      sessionId: recording.sessionId,
      kind: recording.kind,
      fromMs: request.fromMs,
      toMs: request.toMs,
      createdBy: principal.userId,
      expiresAt: request.expiresAt,
    });
    await this.audit.byUser(
      principal,
      'share.create',
      { type: 'recording', id },
      {
        shareId: row.id,
        fromMs: request.fromMs,
        toMs: request.toMs,
        expiresAt: request.expiresAt.toISOString(),
      },
    );
    return { ...shareView(row), token, url: `/share/${token}` };
  }

  @Get()
  @ApiOperation({ summary: "A recording's share links (without their tokens)" })
  async list(@Param('recordingId') rawId: string, @CurrentUser() principal: Principal) {
    const id = recordingId(rawId);
    await this.access.mayRead(principal, id);
    return { shares: (await this.shares.forRecording(id)).map(shareView) };
  }

  @Delete(':shareId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a share link (its creator or an admin)' })
  @ApiParam({ name: 'shareId', format: 'uuid' })
  async revoke(
    @Param('recordingId') rawId: string,
    @Param('shareId') rawShareId: string,
    @CurrentUser() principal: Principal,
  ): Promise<void> {
    const id = recordingId(rawId);
    const shareId = decode(uuidParam, rawShareId, 'params');
    await this.access.mayRead(principal, id);
    const row = await this.shares.byId(shareId);
    if (!row || row.recording_id !== id) throw new NotFoundError(`share ${shareId} not found`);
    if (row.created_by !== principal.userId && !principal.roles.includes('admin')) {
      throw new ShareRevokeForbiddenError();
    }
    if (await this.shares.revoke(shareId, principal.userId)) {
      await this.audit.byUser(principal, 'share.revoke', { type: 'recording', id }, { shareId });
    }
  }
}
