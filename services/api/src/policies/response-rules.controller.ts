/**
 * Response rules over REST (events that lead to notify, lock, disconnect, log off, block a
 * transfer or start recording): read the active version, list versions, publish a new
 * one (policy-admin or admin; 400 names each bad field) and test which rules a sample
 * event matches. The policy service validates, stores, audits and evaluates them.
 */
import { Body, Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { policyResponsesTestRequestV1 } from '@sessionrec/contracts';
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

const testBody = policyResponsesTestRequestV1.omit({ v: true });

@ApiTags('policies')
@ApiBearerAuth()
@Controller('api/v1/policies/responses')
export class ResponseRulesController {
  constructor(private readonly policies: PolicyClient) {}

  @Get()
  @ApiOperation({ summary: 'The active response rules and their version' })
  async active() {
    const reply = await this.policies.ask('policy.responses.get', { v: 1 });
    return activeOr404(reply, 'no response rules yet (no event leads to a response)');
  }

  @Put()
  @ApiOperation({ summary: 'Publish a new version of the response rules (policy-admin or admin)' })
  async put(@CurrentUser() user: Principal, @Body() body: unknown) {
    requirePolicyAdmin(user);
    return publishedOr400(
      await this.policies.ask('policy.responses.put', {
        v: 1,
        document: body,
        actor: actorOf(user),
      }),
    );
  }

  @Get('versions')
  @ApiOperation({ summary: 'Stored versions of the response rules, newest first' })
  async versions() {
    return versionsOf(
      await this.policies.ask('policy.responses.list-versions', { v: 1, limit: 100 }),
    );
  }

  @Post('test')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Which response rules a sample event matches, in order (active rules or draft)',
  })
  async test(@Body() body: unknown) {
    const sample = decode(testBody, body, 'body');
    const reply = await this.policies.ask('policy.responses.test', { v: 1, ...sample });
    if (!reply.ok) throw new InvalidPolicyError(reply.errors);
    return {
      rulesVersion: reply.rulesVersion,
      matches: reply.matches,
      explanation: reply.explanation,
    };
  }
}
