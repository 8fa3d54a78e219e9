/** The responder schema's migrations, oldest first: append new ones, never edit released ones. */
import { ResponderSchemaInfo1795578831823 } from './1795578831823-schema-info';

export const RESPONDER_MIGRATIONS = [ResponderSchemaInfo1795578831823];
