/**
 * The recording policy over REST: read the active version, list versions, publish a new
 * version (policy-admin or admin only; 400 names each bad field) and test a sample
 * session. The policy service validates, stores, audits and evaluates.
 */
import { Body, Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { policyEvaluateRequestV1 } from '@sessionrec/contracts';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/roles';
import { decode } from '../http/validate';
import {
  activeOr404,
  actorOf,
  InvalidPolicyError,
  publishedOr400,
  requirePolicyAdmin,
  versionsOf,
} from './policy-http';
import { PolicyClient } from './policy.client';

@ApiTags('policies')
@ApiBearerAuth()
@Controller('api/v1/policies/recording')
export class PoliciesController {
  constructor(private readonly policies: PolicyClient) {}

  @Get()
  @ApiOperation({ summary: 'The active recording policy and its version' })
  async active() {
    const reply = await this.policies.ask('policy.get', { v: 1 });
    return activeOr404(reply, 'no recording policy yet (nothing is recorded)');
  }

  @Put()
  @ApiOperation({ summary: 'Publish a new recording policy version (policy-admin or admin)' })
  async put(@CurrentUser() user: Principal, @Body() body: unknown) {
    requirePolicyAdmin(user);
    const reply = await this.policies.ask('policy.put', {
      v: 1,
      document: body,
      actor: actorOf(user),
    });
    return publishedOr400(reply);
  }

  @Get('versions')
  @ApiOperation({ summary: 'Stored versions of the recording policy, newest first' })
  async versions() {
    return versionsOf(await this.policies.ask('policy.list-versions', { v: 1, limit: 100 }));
  }

  @Post('test')
  @HttpCode(200)
  @ApiOperation({ summary: 'Would this sample session be recorded, and by which rule' })
  async test(@Body() body: unknown) {
    const session = decode(policyEvaluateRequestV1, body, 'body');
    const reply = await this.policies.ask('policy.test', { v: 1, session });
    if (!reply.ok) throw new InvalidPolicyError(reply.errors);
    return {
      recorded: reply.recorded,
      decision: reply.result.decision,
      ruleId: reply.result.ruleId,
      policyVersion: reply.result.policyVersion,
      explanation: reply.explanation,
    };
  }
}
