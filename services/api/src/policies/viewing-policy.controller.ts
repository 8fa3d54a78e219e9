/**
 * Viewing policies over REST (who may watch recordings of whom): read the active version,
 * list versions and publish a new one (policy-admin or admin; 400 names each bad field).
 * The policy service validates, stores, audits and announces it; the api enforces it.
 */
import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/roles';
import {
  activeOr404,
  actorOf,
  publishedOr400,
  requirePolicyAdmin,
  versionsOf,
} from './policy-http';
import { PolicyClient } from './policy.client';

@ApiTags('policies')
@ApiBearerAuth()
@Controller('api/v1/policies/viewing')
export class ViewingPolicyController {
  constructor(private readonly policies: PolicyClient) {}

  @Get()
  @ApiOperation({ summary: 'The active viewing policy and its version' })
  async active() {
    const reply = await this.policies.ask('policy.viewing.get', { v: 1 });
    return activeOr404(reply, 'no viewing policy yet (the built-in viewing policy applies)');
  }

  @Put()
  @ApiOperation({ summary: 'Publish a new viewing policy version (policy-admin or admin)' })
  async put(@CurrentUser() user: Principal, @Body() body: unknown) {
    requirePolicyAdmin(user);
    return publishedOr400(
      await this.policies.ask('policy.viewing.put', {
        v: 1,
        document: body,
        actor: actorOf(user),
      }),
    );
  }

  @Get('versions')
  @ApiOperation({ summary: 'Stored versions of the viewing policy, newest first' })
  async versions() {
    return versionsOf(
      await this.policies.ask('policy.viewing.list-versions', { v: 1, limit: 100 }),
    );
  }
}
