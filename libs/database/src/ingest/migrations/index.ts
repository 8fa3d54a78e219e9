/** The ingest schema's migrations, oldest first: append new ones, never edit released ones. */
import { IngestSchemaInfo1795578831823 } from './1795578831823-schema-info';
import { IngestAgentProtocol1795600000000 } from './1795600000000-agent-protocol';

export const INGEST_MIGRATIONS = [IngestSchemaInfo1795578831823, IngestAgentProtocol1795600000000];
