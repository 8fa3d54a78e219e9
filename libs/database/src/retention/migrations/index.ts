/** The retention schema's migrations, oldest first: append new ones, never edit released ones. */
import { RetentionSchemaInfo1795578831823 } from './1795578831823-schema-info';

export const RETENTION_MIGRATIONS = [RetentionSchemaInfo1795578831823];
