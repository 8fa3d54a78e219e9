/**
 * The indexer's own settings (the shared ones come from libs/runtime): write batching and
 * the silent-host sweep. Validated once at boot like every other variable.
 */
import { defaultVar, envInteger, loadConfig } from '@sessionrec/config';
import { z } from 'zod';

export const indexerEnv = z.object({
  INDEXER_BATCH_ROWS: defaultVar(envInteger(1, 10_000), '500', {
    description: 'Events, metrics or segments written to PostgreSQL in one statement at most',
  }),
  INDEXER_BATCH_DELAY_MS: defaultVar(envInteger(1, 10_000), '50', {
    description: 'Longest a message waits for its batch to fill before it is written anyway',
  }),
  INDEXER_SILENT_AFTER_MS: defaultVar(envInteger(1_000, 7 * 24 * 3_600_000), '900000', {
    description: 'An open session with no activity for this long is closed as host-silent',
  }),
  INDEXER_SWEEP_INTERVAL_MS: defaultVar(envInteger(100, 3_600_000), '60000', {
    description: 'How often the indexer looks for silent sessions',
  }),
});

export type IndexerConfig = z.output<typeof indexerEnv>;

export const INDEXER_CONFIG = Symbol('INDEXER_CONFIG');

export function loadIndexerConfig(env: NodeJS.ProcessEnv = process.env): IndexerConfig {
  return loadConfig(indexerEnv, env);
}
