/**
 * The indexer's own settings (the shared ones come from libs/runtime): write batching and
 * the silent-host sweep. The variables are defined in libs/config (groups/indexer.ts).
 */
import { indexerEnv, type IndexerEnv, loadConfig } from '@sessionrec/config';

export type IndexerConfig = IndexerEnv;

export const INDEXER_CONFIG = Symbol('INDEXER_CONFIG');

export function loadIndexerConfig(env: NodeJS.ProcessEnv = process.env): IndexerConfig {
  return loadConfig(indexerEnv, env);
}
