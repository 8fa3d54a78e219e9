/** The policy schema's migrations, oldest first: append new ones, never edit released ones. */
import { PolicySchemaInfo1795578831823 } from './1795578831823-schema-info';

export const POLICY_MIGRATIONS = [PolicySchemaInfo1795578831823];
