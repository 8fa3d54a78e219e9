/**
 * Detection policies over REST (which events hosts detect and report): read the active
 * version, list versions, publish a new one (policy-admin or admin; 400 names each bad
 * field) and test what a user on a host would report. The policy service validates,
 * stores, audits and announces the change.
 */
import { Body, Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { hostName, text, userName } from '@sessionrec/contracts';
import { z } from 'zod';
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
export class DetectionPolicyController {
  constructor(private readonly policies: PolicyClient) {}

  @Get()
  @ApiOperation({ summary: 'The active detection policy and its version' })
  async active() {
    const reply = await this.policies.ask('policy.detection.get', { v: 1 });
    return activeOr404(reply, 'no detection policy yet (hosts report every event)');
  }

  @Put()
  @ApiOperation({ summary: 'Publish a new detection policy version (policy-admin or admin)' })
  async put(@CurrentUser() user: Principal, @Body() body: unknown) {
    requirePolicyAdmin(user);
    return publishedOr400(
      await this.policies.ask('policy.detection.put', {
        v: 1,
        document: body,
        actor: actorOf(user),
      }),
    );
  }

  @Get('versions')
  @ApiOperation({ summary: 'Stored versions of the detection policy, newest first' })
  async versions() {
    return versionsOf(
      await this.policies.ask('policy.detection.list-versions', { v: 1, limit: 100 }),
    );
  }

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
