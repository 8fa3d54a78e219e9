/**
 * Dynamic recording: `POST /api/v1/sessions/{id}/recording {action:start|stop, reason?}`
 * starts or stops recording a running session. The session's agent comes from the
 * catalogue; the command goes to it over the control channel (the user is not
 * interrupted) and the change is audited with who asked and why (SessionCommands).
 */
import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/roles';
import { ApiError } from '../http/api-errors';
import { decode, uuidParam } from '../http/validate';
import { SessionCommands } from './session-commands';

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
  constructor(private readonly commands: SessionCommands) {}

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
    return this.commands.send(user, id, {
      action: action === 'start' ? 'start-recording' : 'stop-recording',
      params: reason ? { reason } : {},
      audit: action === 'start' ? 'recording.start' : 'recording.stop',
    });
  }
}
