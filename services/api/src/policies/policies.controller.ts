/**
 * The recording policy over REST: read the active version, list versions, publish a new
 * version (policy-admin or admin only; 400 names each bad field) and test a sample
 * session. The policy service validates, stores, audits and evaluates.
 */
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { policyEvaluateRequestV1 } from '@sessionrec/contracts';
import { decode } from '../http/validate';
import { InvalidPolicyError } from './policy-http';
import { StoredPolicyRoutes } from './stored-policy.routes';

@ApiTags('policies')
@ApiBearerAuth()
@Controller('api/v1/policies/recording')
export class PoliciesController extends StoredPolicyRoutes({
  get: 'policy.get',
  put: 'policy.put',
  versions: 'policy.list-versions',
  label: 'the recording policy',
  whenNone: 'no recording policy yet (nothing is recorded)',
}) {
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
