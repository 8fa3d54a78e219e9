/** The catalog schema's migrations, oldest first: append new ones, never edit released ones. */
import { CatalogCatalogue1796000000000 } from './1796000000000-catalogue';
import { CatalogEventsApp1796600000000 } from './1796600000000-events-app';
import { CatalogSchemaInfo1795578831823 } from './1795578831823-schema-info';
import { CatalogSearchBySession1796300000000 } from './1796300000000-search-by-session';
import { CatalogSessionWords1796400000000 } from './1796400000000-session-words';
import { CatalogTerminalText1796200000000 } from './1796200000000-terminal-text';

export const CATALOG_MIGRATIONS = [
  CatalogSchemaInfo1795578831823,
  CatalogCatalogue1796000000000,
  CatalogTerminalText1796200000000,
  CatalogSearchBySession1796300000000,
  CatalogSessionWords1796400000000,
  CatalogEventsApp1796600000000,
];
