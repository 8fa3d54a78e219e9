import { z } from 'zod';
import { ConfigError } from './config-error';
import { envPort, optionalVar, requiredVar, envString } from './env-var';
import { databaseEnv } from './groups/database';
import { serviceHttpEnv } from './groups/http';
import { natsEnv } from './groups/nats';
import { storageEnv } from './groups/storage';
import { loadConfig } from './load-config';

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  const schema = z.object({
    nats: natsEnv,
    storage: storageEnv,
    http: serviceHttpEnv('api'),
    database: databaseEnv,
  });

  it('reads nested groups from the same environment', () => {
    const config = loadConfig(schema, { NATS_NAMESPACE: 'acme', API_PORT: '9000' });
    expect(config.nats.NATS_NAMESPACE).toBe('acme');
    expect(config.http.API_PORT).toBe(9000);
  });

  it('reads a flat schema', () => {
    const flat = z.object({ PORT: requiredVar(envPort, { description: 'port' }) });
    expect(loadConfig(flat, { PORT: '1234' })).toEqual({ PORT: 1234 });
  });

  it('uses process.env by default', () => {
    const flat = z.object({ SESSIONREC_TEST_PORT: optionalVar(envPort, { description: 'p' }) });
    process.env.SESSIONREC_TEST_PORT = '4321';
    try {
      expect(loadConfig(flat).SESSIONREC_TEST_PORT).toBe(4321);
    } finally {
      delete process.env.SESSIONREC_TEST_PORT;
    }
  });

  it('lists every bad variable in one error, by its environment name', () => {
    const error = configError(() =>
      loadConfig(schema, { NATS_URL: 'http://x', API_PORT: 'abc', STORAGE_URL: 'ftp://y' }),
    );
    expect(error.message).toBe(
      [
        'Invalid configuration:',
        '  - NATS_URL: must be a nats:// URL (or a comma-separated list of them) (got "http://x")',
        '  - STORAGE_URL: must be file:///absolute/path, file://./relative/path or s3://bucket (got "ftp://y")',
        '  - API_PORT: must be an integer 1-65535 (got "abc")',
      ].join('\n'),
    );
    expect(error.problems.map((p) => p.variable)).toEqual(['NATS_URL', 'STORAGE_URL', 'API_PORT']);
  });

  it('names a missing required variable', () => {
    const flat = z.object({
      SESSIONREC_REQUIRED: requiredVar(envString(/./, 'must not be empty'), { description: 'x' }),
    });
    expect(configError(() => loadConfig(flat, {})).message).toContain(
      '  - SESSIONREC_REQUIRED: is required (not set)',
    );
  });

  it('treats an empty string as unset, so defaults apply', () => {
    expect(loadConfig(schema, { NATS_URL: '', API_PORT: '' }).nats.NATS_URL).toEqual([
      'nats://127.0.0.1:4222',
    ]);
  });

  it('never echoes a secret value', () => {
    const error = configError(() =>
      loadConfig(schema, {
        NATS_PASSWORD: 'hunter2-secret',
        AWS_ACCESS_KEY_ID: 'AKIA-SECRET',
        AWS_SECRET_ACCESS_KEY: 'bad secret value',
      }),
    );
    expect(error.message).toContain('  - AWS_SECRET_ACCESS_KEY: must not contain spaces (set)');
    expect(error.message).toContain(
      '  - NATS_USER: is required when NATS_PASSWORD is set (not set)',
    );
    expect(error.message).not.toMatch(/hunter2|AKIA|bad secret/);
  });

  it('treats secret-looking names as secret even when undeclared', () => {
    const flat = z.object({ MY_API_TOKEN: requiredVar(envPort, { description: 'x' }) });
    const error = configError(() => loadConfig(flat, { MY_API_TOKEN: 'tok-123' }));
    expect(error.message).toBe(
      'Invalid configuration:\n  - MY_API_TOKEN: must be an integer 1-65535 (set)',
    );
  });

  it('masks a password inside a URL it echoes', () => {
    const error = configError(() =>
      loadConfig(schema, { DATABASE_URL: 'mysql://app:s3cr3t@db:3306/x' }),
    );
    expect(error.message).toContain('(got "mysql://app:***@db:3306/x")');
    expect(error.message).not.toContain('s3cr3t');
  });
});
