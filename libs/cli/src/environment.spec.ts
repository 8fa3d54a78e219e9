import { ConfigError } from '@sessionrec/config';
import { readDatabaseUrl, readLauncherEnv } from './environment';
import { platformOptions } from './start/from-env';

describe('launcher environment', () => {
  it('defaults to the local platform and makes every value explicit for the services', () => {
    const env = readLauncherEnv({ PATH: '/usr/bin', NODE_ENV: 'production' });
    expect(env.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/sessionrec');
    expect(env.nats.servers).toEqual(['nats://127.0.0.1:4222']);
    expect(env.ports).toEqual({
      api: 8080,
      ingest: 8081,
      policy: 8082,
      indexer: 8083,
      responder: 8084,
      retention: 8085,
    });
    expect(env.storage.driver).toBe('file');
    expect(env.serviceEnv).toMatchObject({
      PATH: '/usr/bin',
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/sessionrec',
      NATS_URL: 'nats://127.0.0.1:4222',
      API_PORT: '8080',
      INGEST_PORT: '8081',
      RETENTION_PORT: '8085',
    });
    expect(env.serviceEnv.STORAGE_URL).toMatch(/^file:\/\/\/.*\/data\/objects$/);
  });

  it('prints the banner with the configured ports and polls each service on its own port', () => {
    const env = readLauncherEnv({ API_PORT: '9080', INGEST_PORT: '9081', HOST: '0.0.0.0' });
    const options = platformOptions(env, '/srv/sessionrec');
    expect(options.banner).toBe(
      'Sessionrec is running: API and console http://127.0.0.1:9080 · agent gateway (ingest) http://127.0.0.1:9081 · Ctrl-C to stop',
    );
    expect(options.services.map((spec) => [spec.name, spec.readyUrl, spec.args])).toEqual([
      [
        'ingest',
        'http://127.0.0.1:9081/health/ready',
        ['--max-semi-space-size=64', '/srv/sessionrec/services/ingest/dist/main.js'],
      ],
      [
        'policy',
        'http://127.0.0.1:8082/health/ready',
        ['/srv/sessionrec/services/policy/dist/main.js'],
      ],
      [
        'indexer',
        'http://127.0.0.1:8083/health/ready',
        ['/srv/sessionrec/services/indexer/dist/main.js'],
      ],
      [
        'responder',
        'http://127.0.0.1:8084/health/ready',
        ['/srv/sessionrec/services/responder/dist/main.js'],
      ],
      [
        'retention',
        'http://127.0.0.1:8085/health/ready',
        ['/srv/sessionrec/services/retention/dist/main.js'],
      ],
      ['api', 'http://127.0.0.1:9080/health/ready', ['/srv/sessionrec/services/api/dist/main.js']],
    ]);
    expect(options.services[0]?.env?.API_PORT).toBe('9080');
  });

  it('reports every bad variable at once, without secrets', () => {
    let error: unknown;
    try {
      readLauncherEnv({ DATABASE_URL: 'mysql://u:pw@h/db', API_PORT: '0', NATS_URL: 'http://x' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const variables = (error as ConfigError).problems.map((problem) => problem.variable);
    expect(variables).toEqual(expect.arrayContaining(['DATABASE_URL', 'API_PORT', 'NATS_URL']));
    expect((error as Error).message).not.toContain(':pw@');
  });

  it('reads DATABASE_URL alone for migrate', () => {
    expect(readDatabaseUrl({ DATABASE_URL: 'postgresql://a@db:5433/x' })).toBe(
      'postgresql://a@db:5433/x',
    );
    expect(readDatabaseUrl({})).toBe('postgres://postgres@127.0.0.1:5432/sessionrec');
  });
});
