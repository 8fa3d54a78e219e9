import { join } from 'node:path';
import { type z } from 'zod';
import { ConfigError } from '../config-error';
import { loadConfig } from '../load-config';
import { databaseEnv } from './database';
import { httpEnv, SERVICE_PORT_VARS, SERVICE_PORTS, serviceHttpEnv } from './http';
import { natsEnv } from './nats';
import { parseStorageUrl, storageEnv } from './storage';
import { telemetryEnv } from './telemetry';

function problemsOf(schema: z.ZodObject, env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError)
      return error.problems.map((p) => `${p.variable}: ${p.reason}`);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('databaseEnv', () => {
  it('defaults to the local sessionrec database', () => {
    expect(loadConfig(databaseEnv, {})).toEqual({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/sessionrec',
    });
  });

  it('accepts postgresql:// and rejects other schemes', () => {
    expect(loadConfig(databaseEnv, { DATABASE_URL: 'postgresql://u@h/db' }).DATABASE_URL).toBe(
      'postgresql://u@h/db',
    );
    expect(problemsOf(databaseEnv, { DATABASE_URL: 'localhost:5432' })).toEqual([
      'DATABASE_URL: must be a postgres:// URL (got "localhost:5432")',
    ]);
  });
});

describe('natsEnv', () => {
  it('has defaults', () => {
    expect(loadConfig(natsEnv, {})).toEqual({
      NATS_URL: ['nats://127.0.0.1:4222'],
      NATS_NAMESPACE: 'sessionrec',
      NATS_REPLICAS: 1,
    });
  });

  it('splits a comma-separated server list', () => {
    const env = { NATS_URL: 'nats://a:4222, tls://b:4222', NATS_REPLICAS: '3' };
    expect(loadConfig(natsEnv, env)).toMatchObject({
      NATS_URL: ['nats://a:4222', 'tls://b:4222'],
      NATS_REPLICAS: 3,
    });
  });

  it('names each bad value', () => {
    expect(
      problemsOf(natsEnv, {
        NATS_URL: 'nats://a:4222,http://b',
        NATS_NAMESPACE: 'Upper.Case',
        NATS_REPLICAS: '7',
      }),
    ).toEqual([
      'NATS_URL: must be a nats:// URL (or a comma-separated list of them) (got "nats://a:4222,http://b")',
      'NATS_NAMESPACE: must be a lower-case subject token: 1-40 letters, digits, "_" or "-", starting with a letter (got "Upper.Case")',
      'NATS_REPLICAS: must be an integer 1-5 (got "7")',
    ]);
  });

  it('requires user and password together', () => {
    expect(problemsOf(natsEnv, { NATS_USER: 'svc' })).toEqual([
      'NATS_PASSWORD: is required when NATS_USER is set (not set)',
    ]);
    expect(loadConfig(natsEnv, { NATS_USER: 'svc', NATS_PASSWORD: 'pw' })).toMatchObject({
      NATS_USER: 'svc',
      NATS_PASSWORD: 'pw',
    });
  });
});

describe('storageEnv', () => {
  it('defaults to ./data/objects resolved from the working directory', () => {
    expect(loadConfig(storageEnv, {})).toEqual({
      STORAGE_URL: {
        driver: 'file',
        root: join(process.cwd(), 'data/objects'),
        url: `file://${join(process.cwd(), 'data/objects')}`,
      },
      S3_REGION: 'us-east-1',
      S3_FORCE_PATH_STYLE: false,
    });
  });

  it('parses absolute file URLs and s3 buckets, refusing a key prefix', () => {
    expect(parseStorageUrl('file:///var/lib/sessionrec')).toEqual({
      driver: 'file',
      root: '/var/lib/sessionrec',
      url: 'file:///var/lib/sessionrec',
    });
    expect(parseStorageUrl('file://./objects', '/srv')).toMatchObject({ root: '/srv/objects' });
    expect(parseStorageUrl('s3://recordings/')).toEqual({
      driver: 's3',
      bucket: 'recordings',
      url: 's3://recordings',
    });
    expect(problemsOf(storageEnv, { STORAGE_URL: 's3://recordings/prod' })).toEqual([
      'STORAGE_URL: must be s3://bucket without a key prefix (use a bucket per installation) (got "s3://recordings/prod")',
    ]);
  });

  it('reads the S3 settings', () => {
    const env = {
      STORAGE_URL: 's3://recordings',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_FORCE_PATH_STYLE: 'yes',
      AWS_ACCESS_KEY_ID: 'id',
      AWS_SECRET_ACCESS_KEY: 'key',
    };
    expect(loadConfig(storageEnv, env)).toMatchObject({
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_FORCE_PATH_STYLE: true,
      AWS_ACCESS_KEY_ID: 'id',
      AWS_SECRET_ACCESS_KEY: 'key',
    });
  });

  it('names each bad value', () => {
    expect(
      problemsOf(storageEnv, {
        STORAGE_URL: 's3:///no-bucket',
        S3_ENDPOINT: 'minio:9000',
        S3_REGION: 'US EAST',
        S3_FORCE_PATH_STYLE: 'maybe',
      }),
    ).toEqual([
      'STORAGE_URL: must name a bucket: s3://bucket (lower-case, 2-63 characters) (got "s3:///no-bucket")',
      'S3_ENDPOINT: must be an http(s):// URL (got "minio:9000")',
      'S3_REGION: must be a region name such as us-east-1 (got "US EAST")',
      'S3_FORCE_PATH_STYLE: must be true/false/1/0/yes/no (got "maybe")',
    ]);
  });
});

describe('telemetryEnv', () => {
  it('has defaults', () => {
    expect(loadConfig(telemetryEnv, {})).toEqual({ LOG_LEVEL: 'info', METRICS_ENABLED: true });
  });

  it.each([
    ['true', true],
    ['1', true],
    ['YES', true],
    ['false', false],
    ['0', false],
    ['no', false],
  ])('reads METRICS_ENABLED=%s as %s', (raw, expected) => {
    expect(loadConfig(telemetryEnv, { METRICS_ENABLED: raw }).METRICS_ENABLED).toBe(expected);
  });

  it('names each bad value', () => {
    expect(
      problemsOf(telemetryEnv, {
        LOG_LEVEL: 'verbose',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
        OTEL_SERVICE_NAME: 'has space',
        METRICS_ENABLED: 'on',
      }),
    ).toEqual([
      'LOG_LEVEL: must be one of fatal|error|warn|info|debug|trace (got "verbose")',
      'OTEL_EXPORTER_OTLP_ENDPOINT: must be an http(s):// URL (got "collector:4318")',
      'OTEL_SERVICE_NAME: must be 1-100 letters, digits, ".", "_" or "-" (got "has space")',
      'METRICS_ENABLED: must be true/false/1/0/yes/no (got "on")',
    ]);
  });
});

describe('httpEnv', () => {
  it('defaults HOST and the given port variable', () => {
    expect(loadConfig(httpEnv('MY_PORT', 9999), {})).toEqual({ HOST: '127.0.0.1', MY_PORT: 9999 });
  });

  it('has one port variable per service', () => {
    for (const [service, port] of Object.entries(SERVICE_PORTS)) {
      const name = SERVICE_PORT_VARS[service as keyof typeof SERVICE_PORTS];
      expect(loadConfig(serviceHttpEnv(service as keyof typeof SERVICE_PORTS), {})).toEqual({
        HOST: '127.0.0.1',
        [name]: port,
      });
    }
    expect(SERVICE_PORTS).toEqual({
      api: 8080,
      ingest: 8081,
      policy: 8082,
      indexer: 8083,
      responder: 8084,
      retention: 8085,
    });
  });

  it('names each bad value', () => {
    expect(
      problemsOf(serviceHttpEnv('ingest'), { HOST: 'http://x', INGEST_PORT: '70000' }),
    ).toEqual([
      'HOST: must be a host name or IP address such as 127.0.0.1 or 0.0.0.0 (got "http://x")',
      'INGEST_PORT: must be an integer 1-65535 (got "70000")',
    ]);
  });
});
