/**
 * The processes `sessionrec start` runs. A spec is plain data (command, arguments, ready
 * URL) so tests can run the launcher on tiny fake services.
 */
import { join } from 'node:path';
import { SERVICE_NODE_ARGS, type ServiceName } from '@sessionrec/config';
import { SERVICE_NAMES } from '../environment';

export interface ServiceSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** GET answers 200 when the service is ready. */
  readonly readyUrl: string;
  /** A file that must exist before starting (the built entry point), checked up front. */
  readonly entry?: string;
}

/** Where to reach a service that listens on `host` (a wildcard means loopback). */
export function localBaseUrl(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return `http://127.0.0.1:${port}`;
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

export function defaultServices(options: {
  readonly root: string;
  readonly host: string;
  readonly ports: Readonly<Record<ServiceName, number>>;
  readonly env: Readonly<Record<string, string>>;
}): ServiceSpec[] {
  return SERVICE_NAMES.map((name) => {
    const entry = join(options.root, 'services', name, 'dist', 'main.js');
    return {
      name,
      command: process.execPath,
      args: [...SERVICE_NODE_ARGS[name], entry],
      cwd: options.root,
      env: options.env,
      readyUrl: `${localBaseUrl(options.host, options.ports[name])}/health/ready`,
      entry,
    };
  });
}
