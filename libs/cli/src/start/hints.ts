/**
 * The exact commands that bring a missing dependency up on this kind of machine (Debian,
 * no systemd in containers) or with the compose stack, so `npm start` never just says
 * "connection refused".
 */
import { maskDatabaseUrl } from '@sessionrec/database';

export function postgresHint(databaseUrl: string, reason: string): string {
  return [
    `PostgreSQL is not answering at ${maskDatabaseUrl(databaseUrl)} (${reason}).`,
    'Start it (Debian/Ubuntu):',
    '  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
    'Not installed yet:',
    '  apt-get install postgresql',
    'Or run it with Docker: docker compose up -d postgres',
    'Or set DATABASE_URL to a running server.',
  ].join('\n');
}

export function postgresRefusedHint(databaseUrl: string, reason: string): string {
  return [
    `PostgreSQL at ${maskDatabaseUrl(databaseUrl)} answers but refused the connection: ${reason}.`,
    'Check the user, password and database in DATABASE_URL.',
  ].join('\n');
}

export function natsHint(server: URL, reason: string): string {
  const host = server.hostname || '127.0.0.1';
  const port = server.port || '4222';
  return [
    `NATS is not answering at nats://${host}:${port} (${reason}).`,
    'Start it (Debian/Ubuntu):',
    `  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a ${host} -p ${port} -js -sd /var/lib/nats-server -l /var/log/nats-server.log`,
    'Not installed yet:',
    '  apt-get install nats-server',
    'Or run it with Docker: docker compose up -d nats',
    'Or set NATS_URL to a running server with JetStream enabled.',
  ].join('\n');
}

export function jetStreamHint(server: URL, reason: string): string {
  return [
    `NATS at ${server.host} answers but JetStream is not available (${reason}).`,
    'JetStream must be enabled: restart nats-server with -js and a storage directory,',
    '  e.g. nats-server -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server',
    'or add `jetstream { store_dir: /var/lib/nats-server }` to its configuration.',
  ].join('\n');
}
