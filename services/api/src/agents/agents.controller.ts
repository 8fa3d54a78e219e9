/**
 * Agents and their enrolment: `GET /api/v1/agents` (admin, helpdesk),
 * `POST /api/v1/agents/enrol-tokens {expiresInSeconds, note?}` → a one-time token shown
 * once (admin), `POST /api/v1/agents/{id}/revoke {reason?}` (admin): refused at once by
 * every ingest instance. Token creation and revocation are audited (never the token).
 */
import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AuditService } from '../audit/audit.service';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal, Role } from '../auth/roles';
import { ApiError, NotFoundError } from '../http/api-errors';
import { decode, uuidParam } from '../http/validate';
import { AgentsClient } from './agents.client';

const enrolTokenBody = z.strictObject({
  expiresInSeconds: z
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .default(3600),
  note: z.string().min(1).max(500).optional(),
});

const revokeBody = z.strictObject({ reason: z.string().min(1).max(500).optional() });

export class AgentsForbiddenError extends ApiError {
  constructor(what: string, roles: readonly Role[]) {
    super(403, 'forbidden', `${what} needs the role ${roles.join(' or ')}`);
  }
}

function requireRole(user: Principal, what: string, roles: readonly Role[]): void {
  if (!user.roles.some((r) => roles.includes(r))) throw new AgentsForbiddenError(what, roles);
}

@ApiTags('agents')
@ApiBearerAuth()
@Controller('api/v1/agents')
export class AgentsController {
  constructor(
    private readonly agents: AgentsClient,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Enrolled agents, newest first, with revocation' })
  async list(@CurrentUser() user: Principal) {
    requireRole(user, 'listing agents', ['admin', 'helpdesk']);
    const reply = await this.agents.ask('agents.list', { v: 1, limit: 1000 });
    return { agents: reply.agents };
  }

  @Post('enrol-tokens')
  @HttpCode(201)
  @ApiOperation({ summary: 'A one-time, expiring enrolment token (shown once)' })
  async createToken(@CurrentUser() user: Principal, @Body() body: unknown) {
    requireRole(user, 'creating enrolment tokens', ['admin']);
    const { expiresInSeconds, note } = decode(enrolTokenBody, body ?? {}, 'body');
    const reply = await this.agents.ask('agents.enrol-token.create', {
      v: 1,
      expiresInSeconds,
      ...(note ? { note } : {}),
      createdBy: user.username,
    });
    await this.audit.byUser(
      user,
      'agent.enrol-token.create',
      { type: 'enrol-token', id: reply.tokenId },
      { expiresAt: reply.expiresAt, ...(note ? { note } : {}) },
    );
    return { tokenId: reply.tokenId, token: reply.token, expiresAt: reply.expiresAt };
  }

  @Post(':agentId/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke an agent: every ingest instance refuses it at once' })
  @ApiParam({ name: 'agentId', format: 'uuid' })
  async revoke(
    @CurrentUser() user: Principal,
    @Param('agentId') rawId: string,
    @Body() body: unknown,
  ) {
    requireRole(user, 'revoking agents', ['admin']);
    const agentId = decode(uuidParam, rawId, 'params');
    const { reason } = decode(revokeBody, body ?? {}, 'body');
    const reply = await this.agents.ask('agents.revoke', {
      v: 1,
      agentId,
      revokedBy: user.username,
      ...(reason ? { reason } : {}),
    });
    if (!reply.revokedAt) throw new NotFoundError(`no agent ${agentId}`);
    await this.audit.byUser(
      user,
      'agent.revoke',
      { type: 'agent', id: agentId },
      reason ? { reason } : {},
    );
    return { agentId, revokedAt: reply.revokedAt };
  }
}
