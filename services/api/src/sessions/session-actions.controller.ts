/**
 * Acting on a running session: `POST /api/v1/sessions/{id}/actions
 * {action: lock|disconnect|logoff|notify, message?}` sends the command to the session's
 * agent over the control channel (`control.command`, as dynamic recording does) and audits
 * who asked and why. Only someone who may view the session (viewing policy) and holds a
 * role that may act on sessions gets this far; an ended session is 409.
 */
import { randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { ControlAction } from '@sessionrec/contracts';
import { Messaging } from '@sessionrec/messaging';
import { AuditService } from '../audit/audit.service';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/roles';
import { CatalogClient } from '../catalog/catalog.client';
import { ApiError, ConflictError, NotFoundError } from '../http/api-errors';
import { decode, uuidParam } from '../http/validate';
import { ViewingAccess } from '../viewing/viewing-access';
import { sessionActionBody, type SessionAction } from './session-actions';

/** How long an agent has to carry out the command before it is reported timed out. */
const COMMAND_TTL_MS = 60_000;
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
  constructor(
    private readonly catalog: CatalogClient,
    private readonly viewing: ViewingAccess,
    private readonly messaging: Messaging,
    private readonly audit: AuditService,
  ) {}

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
    const reply = await this.catalog.ask('catalog.session', {
      v: 1,
      sessionId: id,
      ...(await this.viewing.scopeFields(user)),
    });
    if (!reply.session) throw new NotFoundError(`session ${id} is not in the catalogue`);
    if (reply.session.endedAt) throw new ConflictError(`session ${id} has ended`);
    const commandId = randomUUID();
    const now = Date.now();
    await this.messaging.publish('control.command', {
      v: 1,
      commandId,
      agentId: reply.session.agentId,
      sessionId: id,
      action: CONTROL_ACTION[action],
      params: message ? { message } : {},
      issuedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + COMMAND_TTL_MS).toISOString(),
      issuedBy: user.username,
    });
    await this.audit.byUser(
      user,
      `session.${action}`,
      { type: 'session', id },
      { commandId, agentId: reply.session.agentId, ...(message ? { message } : {}) },
    );
    return { commandId };
  }
}
