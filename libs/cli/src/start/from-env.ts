/** Turns the validated environment into the launcher's options for the real platform. */
import { type LauncherEnv } from '../environment';
import { defaultServices, localBaseUrl } from './services';
import { type StartPlatformOptions } from './start-platform';

export function platformOptions(env: LauncherEnv, root: string): StartPlatformOptions {
  const api = localBaseUrl(env.host, env.ports.api);
  const ingest = localBaseUrl(env.host, env.ports.ingest);
  return {
    databaseUrl: env.databaseUrl,
    nats: env.nats,
    storage: env.storage,
    services: defaultServices({ root, host: env.host, ports: env.ports, env: env.serviceEnv }),
    banner: `Sessionrec is running: API and console ${api} · agent gateway (ingest) ${ingest} · Ctrl-C to stop`,
  };
}
