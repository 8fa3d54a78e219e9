/**
 * The ingest service's own settings (the shared ones come from libs/runtime): its
 * backpressure limit, how long a 503 asks agents to wait, store timeouts and the
 * credential cache. Validated once at boot like every other variable.
 */
import { defaultVar, envInteger, loadConfig } from '@sessionrec/config';
import { z } from 'zod';

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

export type IngestConfig = z.output<typeof ingestEnv>;

export const INGEST_CONFIG = Symbol('INGEST_CONFIG');

export function loadIngestConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  return loadConfig(ingestEnv, env);
}
