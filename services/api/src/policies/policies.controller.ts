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
import { ApiError, NotFoundError } from '../http/api-errors';
import { decode } from '../http/validate';
import { PolicyClient } from './policy.client';

/** 403: signed in, but without a role that may change policies. */
export class PolicyForbiddenError extends ApiError {
  constructor() {
    super(403, 'forbidden', 'changing policies needs the policy-admin or admin role');
  }
}

/** 400 with every invalid field: `{error:{code:'invalid_policy', message, fields}}`. */
export class InvalidPolicyError extends ApiError {
  constructor(readonly fields: readonly { path: string; message: string }[]) {
    const first = fields[0];
    super(400, 'invalid_policy', first ? `${first.path}: ${first.message}` : 'invalid policy');
  }

  override getResponse(): object {
    return { error: { code: this.code, message: this.message, fields: this.fields } };
  }
}

function requirePolicyAdmin(user: Principal): void {
  if (!user.roles.includes('admin') && !user.roles.includes('policy-admin')) {
    throw new PolicyForbiddenError();
  }
}

@ApiTags('policies')
@ApiBearerAuth()
@Controller('api/v1/policies/recording')
export class PoliciesController {
  constructor(private readonly policies: PolicyClient) {}

  @Get()
  @ApiOperation({ summary: 'The active recording policy and its version' })
  async active() {
    const reply = await this.policies.ask('policy.get', { v: 1 });
    if (!reply.active) throw new NotFoundError('no recording policy yet (nothing is recorded)');
    return {
      ...reply.active.info,
      document: reply.active.document,
    };
  }

  @Put()
  @ApiOperation({ summary: 'Publish a new recording policy version (policy-admin or admin)' })
  async put(@CurrentUser() user: Principal, @Body() body: unknown) {
    requirePolicyAdmin(user);
    const reply = await this.policies.ask('policy.put', {
      v: 1,
      document: body,
      actor: { id: user.userId, name: user.username },
    });
    if (!reply.ok) throw new InvalidPolicyError(reply.errors);
    return { version: reply.version, changedRuleIds: reply.changedRuleIds };
  }

  @Get('versions')
  @ApiOperation({ summary: 'Stored versions of the recording policy, newest first' })
  async versions() {
    const reply = await this.policies.ask('policy.list-versions', { v: 1, limit: 100 });
    return { activeVersion: reply.activeVersion, versions: reply.versions };
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
