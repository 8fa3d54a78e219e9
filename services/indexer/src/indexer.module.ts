/**
 * The indexer service: builds the searchable catalogue from the session, segment, event and metric streams.
 * Its features arrive with the issues that build them; the platform around it (config,
 * telemetry, health, NATS, PostgreSQL and graceful shutdown) comes from libs/runtime.
 */
import { Module } from '@nestjs/common';

@Module({})
export class IndexerModule {}
