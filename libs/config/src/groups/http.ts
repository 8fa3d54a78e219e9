/** The HTTP listener of a service: a shared HOST and one port variable per service. */
import { z } from 'zod';
import { defaultVar, envPort, envString, type EnvParser } from '../env-var';

export const SERVICE_PORTS = {
  api: 8080,
  ingest: 8081,
  policy: 8082,
  indexer: 8083,
  responder: 8084,
  retention: 8085,
} as const;

export type ServiceName = keyof typeof SERVICE_PORTS;

export const SERVICE_PORT_VARS = {
  api: 'API_PORT',
  ingest: 'INGEST_PORT',
  policy: 'POLICY_PORT',
  indexer: 'INDEXER_PORT',
  responder: 'RESPONDER_PORT',
  retention: 'RETENTION_PORT',
} as const satisfies Record<ServiceName, string>;

const host = envString(
  /^[A-Za-z0-9.:[\]_-]{1,253}$/,
  'must be a host name or IP address such as 127.0.0.1 or 0.0.0.0',
);

type HttpShape<P extends string> = { HOST: z.ZodPrefault<EnvParser<string>> } & {
  [K in P]: z.ZodPrefault<EnvParser<number>>;
};

export function httpEnv<P extends string>(
  portVar: P,
  defaultPort: number,
  description = 'HTTP port of this service',
): z.ZodObject<HttpShape<P>> {
  const shape = {
    HOST: defaultVar(host, '127.0.0.1', { description: 'Interface the HTTP servers listen on' }),
    [portVar]: defaultVar(envPort, String(defaultPort), { description }),
  } as HttpShape<P>;
  return z.object(shape);
}

/** `httpEnv` for one of the platform's services, e.g. `serviceHttpEnv('api')`. */
export function serviceHttpEnv<N extends ServiceName>(service: N) {
  return httpEnv(
    SERVICE_PORT_VARS[service],
    SERVICE_PORTS[service],
    `HTTP port of the ${service} service`,
  );
}
