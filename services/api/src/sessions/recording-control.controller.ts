/**
 * Dynamic recording: `POST /api/v1/sessions/{id}/recording {action:start|stop, reason?}`
 * starts or stops recording a running session. The session's agent comes from the
 * catalogue; the command goes to it over the control channel (the user is not
 * interrupted) and the change is audited with who asked and why.
 */
import { randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Messaging } from '@sessionrec/messaging';
import { z } from 'zod';
import { AuditService } from '../audit/audit.service';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/roles';
import { CatalogClient } from '../catalog/catalog.client';
import { ApiError, ConflictError, NotFoundError } from '../http/api-errors';
import { decode, uuidParam } from '../http/validate';

/** How long an agent has to acknowledge a start or stop before it is reported timed out. */
const COMMAND_TTL_MS = 60_000;
const ALLOWED_ROLES = ['admin', 'policy-admin', 'investigator'] as const;

const recordingControlBody = z.strictObject({
  action: z.enum(['start', 'stop']),
  reason: z.string().min(1).max(500).optional(),
});

/** 403: signed in, but without a role that may start or stop recordings. */
export class RecordingControlForbiddenError extends ApiError {
  constructor() {
    super(
      403,
      'forbidden',
      'starting or stopping recordings needs admin, policy-admin or investigator',
    );
  }
}

@ApiTags('sessions')
@ApiBearerAuth()
@Controller('api/v1/sessions')
export class RecordingControlController {
  constructor(
    private readonly catalog: CatalogClient,
    private readonly messaging: Messaging,
    private readonly audit: AuditService,
  ) {}

  @Post(':sessionId/recording')
  @HttpCode(202)
  @ApiOperation({ summary: 'Start or stop recording a running session (sent to its agent)' })
  @ApiParam({ name: 'sessionId', format: 'uuid' })
  async control(
    @CurrentUser() user: Principal,
    @Param('sessionId') sessionId: string,
    @Body() body: unknown,
  ) {
    if (!user.roles.some((r) => (ALLOWED_ROLES as readonly string[]).includes(r))) {
      throw new RecordingControlForbiddenError();
    }
    const id = decode(uuidParam, sessionId, 'params');
    const { action, reason } = decode(recordingControlBody, body, 'body');
    const reply = await this.catalog.ask('catalog.session', { v: 1, sessionId: id });
    if (!reply.session) throw new NotFoundError(`session ${id} is not in the catalogue`);
    if (reply.session.endedAt) throw new ConflictError(`session ${id} has ended`);
    const commandId = randomUUID();
    const now = Date.now();
    await this.messaging.publish('control.command', {
      v: 1,
      commandId,
      agentId: reply.session.agentId,
      sessionId: id,
      action: action === 'start' ? 'start-recording' : 'stop-recording',
      params: reason ? { reason } : {},
      issuedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + COMMAND_TTL_MS).toISOString(),
      issuedBy: user.username,
    });
    await this.audit.byUser(
      user,
      action === 'start' ? 'recording.start' : 'recording.stop',
      { type: 'session', id },
      { commandId, agentId: reply.session.agentId, ...(reason ? { reason } : {}) },
    );
    return { commandId };
  }
}
