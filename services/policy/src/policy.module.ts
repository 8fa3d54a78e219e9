/**
 * The policy service: recording, detection, response and viewing policies, evaluated over request/reply.
 * Its features arrive with the issues that build them; the platform around it (config,
 * telemetry, health, NATS, PostgreSQL and graceful shutdown) comes from libs/runtime.
 */
import { Module } from '@nestjs/common';

@Module({})
export class PolicyModule {}
