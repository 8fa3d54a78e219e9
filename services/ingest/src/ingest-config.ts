/**
 * The ingest service's own settings (the shared ones come from libs/runtime): its
 * backpressure limit, how long a 503 asks agents to wait, store timeouts and the
 * credential cache, and how to ask policy. The variables are defined in libs/config (groups/ingest.ts).
 */
import { ingestEnv, loadConfig, policyEnv } from '@sessionrec/config';
import type { z } from 'zod';

/** Ingest asks policy on agents' behalf, so it also reads the askers' settings. */
const ingestSettings = ingestEnv.extend(policyEnv.shape);

export type IngestConfig = z.output<typeof ingestSettings>;

export const INGEST_CONFIG = Symbol('INGEST_CONFIG');

export function loadIngestConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  return loadConfig(ingestSettings, env);
}
