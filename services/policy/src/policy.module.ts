/**
 * The policy service: recording policies stored as immutable versions (schema `policy`),
 * compiled into memory and evaluated over request/reply. Detection, response and viewing
 * policies arrive with later work; the platform around it (config, telemetry, health,
 * NATS, PostgreSQL and graceful shutdown) comes from libs/runtime.
 */
import { Module } from '@nestjs/common';
import { ActivePolicy } from './engine/active-policy';
import { PolicyRpcController } from './policy-rpc.controller';
import { PolicyStore } from './store/policy.store';

@Module({
  controllers: [PolicyRpcController],
  providers: [PolicyStore, ActivePolicy],
})
export class PolicyModule {}
