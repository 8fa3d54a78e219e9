/**
 * The ingest service's own settings: its backpressure limit, how long a 503 asks agents
 * to wait, store timeouts and the credential cache. Defined here, beside the shared
 * groups, so the README's one table lists every variable the platform reads.
 */
import { z } from 'zod';
import { defaultVar, envInteger } from '../env-var';

export const ingestEnv = z.object({
  INGEST_MAX_INFLIGHT: defaultVar(envInteger(1, 100_000), '512', {
    description: 'Agent uploads and batches one ingest process handles at once; more get 503',
  }),
  INGEST_RETRY_AFTER_SECONDS: defaultVar(envInteger(1, 3600), '5', {
    description: 'Retry-After (seconds) sent with 503 answers',
  }),
  INGEST_STORE_TIMEOUT_MS: defaultVar(envInteger(100, 600_000), '30000', {
    description: 'How long a segment write to the object store may take before ingest answers 503',
  }),
  INGEST_AUTH_CACHE_TTL_MS: defaultVar(envInteger(0, 60_000), '5000', {
    description: 'How long a verified agent credential is trusted without a database lookup',
  }),
  INGEST_AUTH_CACHE_SIZE: defaultVar(envInteger(1, 1_000_000), '10000', {
    description: 'Verified agent credentials kept in memory',
  }),
});

export type IngestEnv = z.output<typeof ingestEnv>;
