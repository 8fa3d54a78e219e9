/**
 * The indexer's own settings: write batching, the silent-host sweep and the search plan.
 * Defined here, beside the shared groups, so the README's one table lists every variable.
 */
import { z } from 'zod';
import { defaultVar, envInteger } from '../env-var';

export const indexerEnv = z.object({
  INDEXER_BATCH_ROWS: defaultVar(envInteger(1, 10_000), '4000', {
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
  INDEXER_SEARCH_LIST_ROWS: defaultVar(envInteger(0, 1_000_000), '5000', {
    description: 'Matching events a search lists before it probes sessions newest first instead',
  }),
});

export type IndexerEnv = z.output<typeof indexerEnv>;
