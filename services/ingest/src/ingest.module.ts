/**
 * The ingest service: the agent gateway: enrolment, sessions, segment upload, events and the control WebSocket.
 * Its features arrive with the issues that build them; the platform around it (config,
 * telemetry, health, NATS, PostgreSQL, object store and graceful shutdown) comes from libs/runtime.
 */
import { Module } from '@nestjs/common';

@Module({})
export class IngestModule {}
