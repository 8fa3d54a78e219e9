/** The ingest schema's migrations, oldest first: append new ones, never edit released ones. */
import { IngestSchemaInfo1795578831823 } from './1795578831823-schema-info';

export const INGEST_MIGRATIONS = [IngestSchemaInfo1795578831823];
