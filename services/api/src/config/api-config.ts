/**
 * The api service's own settings (the shared ones come from libs/runtime): the first
 * administrator's password, sign-in lifetimes and limits, how long to wait for the
 * indexer, and export limits. The variables are defined in libs/config (groups/api.ts).
 */
import { apiEnv, type ApiEnv, loadConfig } from '@sessionrec/config';

export type ApiConfig = ApiEnv;

export const API_CONFIG = Symbol('API_CONFIG');

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return loadConfig(apiEnv, env);
}
