/**
 * Acting on a running session: `POST /api/v1/sessions/{id}/actions
 * {action: lock|disconnect|logoff|notify, message?}` sends the command to the session's
 * agent over the control channel (`control.command`, as dynamic recording does) and audits
 * who asked and why. Only someone who may view the session (viewing policy) and holds a
 * role that may act on sessions gets this far; an ended session is 409.
 */
import { Body, Controller, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { ControlAction } from '@sessionrec/contracts';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/roles';
import { ApiError } from '../http/api-errors';
import { decode, uuidParam } from '../http/validate';
import { SessionCommands } from './session-commands';
import { sessionActionBody, type SessionAction } from './session-actions';

export const SESSION_ACTION_ROLES = ['admin', 'investigator', 'helpdesk'] as const;

const CONTROL_ACTION: Record<SessionAction, ControlAction> = {
  lock: 'lock',
  disconnect: 'disconnect',
  logoff: 'logoff',
  notify: 'notice',
};

export class SessionActionForbiddenError extends ApiError {
  constructor() {
    super(403, 'forbidden', 'acting on sessions needs admin, investigator or helpdesk');
  }
}

@ApiTags('sessions')
@ApiBearerAuth()
@Controller('api/v1/sessions')
export class SessionActionsController {
  constructor(private readonly commands: SessionCommands) {}

  @Post(':sessionId/actions')
  @HttpCode(202)
  @ApiOperation({ summary: 'Lock, disconnect, log off or message a running session' })
  @ApiParam({ name: 'sessionId', format: 'uuid' })
  async act(
    @CurrentUser() user: Principal,
    @Param('sessionId') rawId: string,
    @Body() body: unknown,
  ) {
    if (!user.roles.some((r) => (SESSION_ACTION_ROLES as readonly string[]).includes(r))) {
      throw new SessionActionForbiddenError();
    }
    const id = decode(uuidParam, rawId, 'params');
    const { action, message } = decode(sessionActionBody, body, 'body');
    return this.commands.send(user, id, {
      action: CONTROL_ACTION[action],
      params: message ? { message } : {},
      audit: `session.${action}`,
    });
  }

  @Get(':sessionId/commands/:commandId')
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary:
      "What became of a command sent to the session (action or dynamic recording): sent, or the agent's acked / failed, or timed-out",
  })
  @ApiParam({ name: 'sessionId', format: 'uuid' })
  @ApiParam({ name: 'commandId', format: 'uuid' })
  async commandStatus(
    @CurrentUser() user: Principal,
    @Param('sessionId') rawSession: string,
    @Param('commandId') rawCommand: string,
  ) {
    const sessionId = decode(uuidParam, rawSession, 'params');
    const commandId = decode(uuidParam, rawCommand, 'params');
    return this.commands.status(user, sessionId, commandId);
  }
}
