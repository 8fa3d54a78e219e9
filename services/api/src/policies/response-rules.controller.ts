/**
 * Response rules over REST (events that lead to notify, lock, disconnect, log off, block a
 * transfer or start recording): read the active version, list versions, publish a new
 * one (policy-admin or admin; 400 names each bad field) and test which rules a sample
 * event matches. The policy service validates, stores, audits and evaluates them.
 */
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { policyResponsesTestRequestV1 } from '@sessionrec/contracts';
import { decode } from '../http/validate';
import { InvalidPolicyError } from './policy-http';
import { StoredPolicyRoutes } from './stored-policy.routes';

const testBody = policyResponsesTestRequestV1.omit({ v: true });

@ApiTags('policies')
@ApiBearerAuth()
@Controller('api/v1/policies/responses')
export class ResponseRulesController extends StoredPolicyRoutes({
  get: 'policy.responses.get',
  put: 'policy.responses.put',
  versions: 'policy.responses.list-versions',
  label: 'the response rules',
  whenNone: 'no response rules yet (no event leads to a response)',
}) {
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
