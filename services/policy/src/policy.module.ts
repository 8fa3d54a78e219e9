/**
 * The policy service: recording, detection, response and viewing policies stored as
 * immutable versions (schema `policy`), compiled into memory and answered over
 * request/reply; and the response engine, which evaluates response rules on the event
 * stream and publishes response.requested. The platform around it (config, telemetry,
 * health, NATS, PostgreSQL and graceful shutdown) comes from libs/runtime.
 */
import { Module } from '@nestjs/common';
import { ActiveDetectionPolicy } from './detection/active-detection-policy';
import { DetectionRpcController } from './detection/detection-rpc.controller';
import { ActivePolicy } from './engine/active-policy';
import { PolicyPublisher } from './engine/policy-publisher';
import { PolicyRpcController } from './policy-rpc.controller';
import { ActiveResponseRules } from './responses/active-response-rules';
import { ResponseEngine } from './responses/response-engine';
import { ResponseEventsController } from './responses/response-events.controller';
import { ResponseStateStore } from './responses/response-state.store';
import { ResponseStateSweeper } from './responses/response-state.sweeper';
import { ResponsesRpcController } from './responses/responses-rpc.controller';
import { PolicyStore } from './store/policy.store';
import { ActiveViewingPolicy } from './viewing/active-viewing-policy';
import { ViewingRpcController } from './viewing/viewing-rpc.controller';

@Module({
  controllers: [
    PolicyRpcController,
    DetectionRpcController,
    ResponsesRpcController,
    ResponseEventsController,
    ViewingRpcController,
  ],
  providers: [
    PolicyStore,
    PolicyPublisher,
    ActivePolicy,
    ActiveDetectionPolicy,
    ActiveResponseRules,
    ActiveViewingPolicy,
    ResponseStateStore,
    ResponseEngine,
    ResponseStateSweeper,
  ],
})
export class PolicyModule {}
