/**
 * The policy REST API (recording, detection, response and viewing policies), answered by
 * the policy service over NATS.
 */
import { Module } from '@nestjs/common';
import { ViewingModule } from '../viewing/viewing.module';
import { DetectionPolicyController } from './detection-policy.controller';
import { PoliciesController } from './policies.controller';
import { PolicyClient } from './policy.client';
import { ResponseRulesController } from './response-rules.controller';
import { ViewingPolicyController } from './viewing-policy.controller';

@Module({
  imports: [ViewingModule],
  controllers: [
    PoliciesController,
    DetectionPolicyController,
    ResponseRulesController,
    ViewingPolicyController,
  ],
  providers: [PolicyClient],
  exports: [PolicyClient],
})
export class PoliciesModule {}
