/**
 * Detection policies over REST (which events hosts detect and report): read the active
 * version, list versions, publish a new one (policy-admin or admin; 400 names each bad
 * field) and test what a user on a host would report. The policy service validates,
 * stores, audits and announces the change.
 */
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { hostName, text, userName } from '@sessionrec/contracts';
import { z } from 'zod';
import { decode } from '../http/validate';
import { InvalidPolicyError } from './policy-http';
import { StoredPolicyRoutes } from './stored-policy.routes';

const testBody = z.strictObject({
  user: userName,
  groups: z.array(text(256)).max(256).default([]),
  host: hostName,
  /** An unsaved draft to test instead of the active policy. */
  document: z.unknown().optional(),
});

@ApiTags('policies')
@ApiBearerAuth()
@Controller('api/v1/policies/detection')
export class DetectionPolicyController extends StoredPolicyRoutes({
  get: 'policy.detection.get',
  put: 'policy.detection.put',
  versions: 'policy.detection.list-versions',
  label: 'the detection policy',
  whenNone: 'no detection policy yet (hosts report every event)',
}) {
  @Post('test')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Which events a host would report for this user, and why (active policy or draft)',
  })
  async test(@Body() body: unknown) {
    const { document, ...subject } = decode(testBody, body, 'body');
    const reply = await this.policies.ask('policy.detection.test', {
      v: 1,
      subject: { v: 1, ...subject },
      ...(document === undefined ? {} : { document }),
    });
    if (!reply.ok) throw new InvalidPolicyError(reply.errors);
    const { v: _v, ...result } = reply.result;
    return { ...result, explanation: reply.explanation };
  }
}
