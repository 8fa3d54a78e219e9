/**
 * The responder service: carries out response actions (notify, lock, block, disconnect) and forwards events to SIEMs.
 * Its features arrive with the issues that build them; the platform around it (config,
 * telemetry, health, NATS, PostgreSQL and graceful shutdown) comes from libs/runtime.
 */
import { Module } from '@nestjs/common';

@Module({})
export class ResponderModule {}
