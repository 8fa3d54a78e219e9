/**
 * Before anything starts, prove PostgreSQL and NATS JetStream really answer (a query, a
 * JetStream account-info call), so a missing dependency is one clear message with the fix
 * instead of six services failing their health checks.
 */
import { connect as connectTcp } from 'node:net';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect as connectNats } from '@nats-io/transport-node';
import { parseDatabaseUrl, withDatabase } from '@sessionrec/database';
import { Client } from 'pg';
import { type NatsTarget } from '../environment';
import { DependencyUnavailableError } from './errors';
import { jetStreamHint, natsHint, postgresHint, postgresRefusedHint } from './hints';

const TIMEOUT_MS = 3000;

export async function checkPostgres(databaseUrl: string): Promise<void> {
  const { url } = parseDatabaseUrl(databaseUrl);
  const port = Number(url.port || 5432);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const unreachable = await tcpProblem(host, port);
  if (unreachable) throw new DependencyUnavailableError(postgresHint(databaseUrl, unreachable));
  // The platform database may not exist yet on first start; the maintenance one always does.
  const client = new Client({
    connectionString: withDatabase(databaseUrl, 'postgres'),
    connectionTimeoutMillis: TIMEOUT_MS,
    application_name: 'sessionrec-start',
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new DependencyUnavailableError(postgresRefusedHint(databaseUrl, message(error)));
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function checkNats(target: NatsTarget): Promise<void> {
  const first = target.servers[0] ?? 'nats://127.0.0.1:4222';
  const server = new URL(first);
  let nc;
  try {
    nc = await connectNats({
      servers: [...target.servers],
      user: target.user,
      pass: target.password,
      token: target.token,
      timeout: TIMEOUT_MS,
      reconnect: false,
      name: 'sessionrec-start',
    });
  } catch (error) {
    throw new DependencyUnavailableError(natsHint(server, message(error)));
  }
  try {
    const jsm = await jetstreamManager(nc, { timeout: TIMEOUT_MS });
    await jsm.getAccountInfo();
  } catch (error) {
    throw new DependencyUnavailableError(jetStreamHint(server, message(error)));
  } finally {
    await nc.close();
  }
}

function tcpProblem(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host, port, timeout: TIMEOUT_MS });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(`no answer on port ${port} within ${TIMEOUT_MS / 1000} s`);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      resolve(
        error.code === 'ECONNREFUSED' ? `connection refused on port ${port}` : message(error),
      );
    });
  });
}

function message(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map(message).join('; ');
  }
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
