/**
 * The ingest service's own settings (the shared ones come from libs/runtime): its
 * backpressure limit, how long a 503 asks agents to wait, store timeouts and the
 * credential cache. The variables are defined in libs/config (groups/ingest.ts).
 */
import { ingestEnv, type IngestEnv, loadConfig } from '@sessionrec/config';

export type IngestConfig = IngestEnv;

export const INGEST_CONFIG = Symbol('INGEST_CONFIG');

export function loadIngestConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  return loadConfig(ingestEnv, env);
}
