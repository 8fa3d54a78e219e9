/** The catalog schema's migrations, oldest first: append new ones, never edit released ones. */
import { CatalogSchemaInfo1795578831823 } from './1795578831823-schema-info';

export const CATALOG_MIGRATIONS = [CatalogSchemaInfo1795578831823];
