/** NATS / JetStream connection and the namespace that prefixes every subject and stream. */
import { assertNamespace } from '@sessionrec/contracts';
import { z } from 'zod';
import {
  defaultVar,
  envInteger,
  Invalid,
  isUrl,
  optionalVar,
  parsed,
  setTogether,
} from '../env-var';

const natsServers = parsed((raw) => {
  const servers = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (servers.length === 0 || !servers.every((s) => isUrl(s, ['nats:', 'tls:']))) {
    return new Invalid('must be a nats:// URL (or a comma-separated list of them)');
  }
  return servers;
});

const namespace = parsed((raw) => {
  try {
    return assertNamespace(raw.trim());
  } catch {
    return new Invalid(
      'must be a lower-case subject token: 1-40 letters, digits, "_" or "-", starting with a letter',
    );
  }
});

const nonEmpty = parsed((raw) => (raw === '' ? new Invalid('must not be empty') : raw));

export const natsEnv = setTogether(
  z.object({
    NATS_URL: defaultVar(natsServers, 'nats://127.0.0.1:4222', {
      description: 'NATS server URL(s), comma-separated for a cluster',
    }),
    NATS_NAMESPACE: defaultVar(namespace, 'sessionrec', {
      description: 'Prefix of every subject and stream name (isolates installations and tests)',
    }),
    NATS_REPLICAS: defaultVar(envInteger(1, 5), '1', {
      description: 'JetStream stream replicas (3 in a cluster)',
    }),
    NATS_USER: optionalVar(nonEmpty, { description: 'NATS user name', secret: true }),
    NATS_PASSWORD: optionalVar(nonEmpty, { description: 'NATS password', secret: true }),
    NATS_TOKEN: optionalVar(nonEmpty, { description: 'NATS authentication token', secret: true }),
  }),
  'NATS_USER',
  'NATS_PASSWORD',
);

export type NatsEnv = z.output<typeof natsEnv>;
