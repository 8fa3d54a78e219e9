// Static checks of docker-compose.yml: every container the platform needs is there, pinned,
// health-checked, wired to the right entry point, and given every variable it reads.
import { ENV_VARIABLES, SERVICE_NODE_ARGS, SERVICE_PORT_VARS } from '@sessionrec/config';
import {
  APP_SERVICES,
  SERVICE_PORTS,
  asArray,
  asRecord,
  asString,
  imageTag,
  readRepoFile,
  readYaml,
  repoFileExists,
} from './repo';

/** Variables every service must be given explicitly in compose (all known to libs/config). */
const SHARED_ENV = [
  'HOST',
  'DATABASE_URL',
  'NATS_URL',
  'NATS_NAMESPACE',
  'NATS_REPLICAS',
  'STORAGE_URL',
  'S3_ENDPOINT',
  'S3_REGION',
  'S3_FORCE_PATH_STYLE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'LOG_LEVEL',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
] as const;
/** Shared variables that may legitimately be empty (empty = feature off). */
const MAY_BE_EMPTY = new Set<string>(['OTEL_EXPORTER_OTLP_ENDPOINT']);
const EXTRA_ENV: Partial<Record<string, Record<string, RegExp>>> = {
  api: { SESSIONREC_ADMIN_PASSWORD: /.{12,}/ },
  responder: { SMTP_URL: /^smtp:\/\/mailpit:1025$/ },
};
/** Optional libs/config variables compose deliberately leaves unset. */
const LEFT_UNSET = new Set<string>([
  'NATS_USER',
  'NATS_PASSWORD',
  'NATS_TOKEN',
  'OTEL_SERVICE_NAME',
  // Each service defaults to its owner's schema.
  'DATABASE_SCHEMA',
  // Read by the api only (optional: without it a generated password is printed once).
  'SESSIONREC_ADMIN_PASSWORD',
  // Only for a filesystem store; compose keeps recordings in S3 (MinIO).
  'STORAGE_FS_WRITE_THREADS',
]);
const PORT_VARS = new Set<string>(Object.values(SERVICE_PORT_VARS));
const INFRA = ['postgres', 'nats', 'minio', 'minio-init', 'mailpit', 'migrate'] as const;

/** What compose substitutes when the variable is unset: `${X:-d}` -> d, `${X}` -> ''. */
function interpolateDefaults(value: string): string {
  return value
    .replace(
      /\$\{[A-Z0-9_]+(?::?-([^}]*))?\}/g,
      (_m, fallback: string | undefined) => fallback ?? '',
    )
    .replace(/\$\$/g, '$');
}

const compose = asRecord(readYaml('docker-compose.yml'), 'docker-compose.yml');
const services = asRecord(compose.services, 'services');

function service(name: string): Record<string, unknown> {
  return asRecord(services[name], `services.${name}`);
}

function environment(name: string): Record<string, string> {
  const env = asRecord(service(name).environment, `services.${name}.environment`);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    // Compose rejects unquoted booleans and numbers are easy to mistype: require strings.
    out[key] = interpolateDefaults(asString(value, `services.${name}.environment.${key}`));
  }
  return out;
}

function dependsOn(name: string): Record<string, string> {
  const deps = asRecord(service(name).depends_on, `services.${name}.depends_on`);
  const out: Record<string, string> = {};
  for (const [dep, spec] of Object.entries(deps)) {
    out[dep] = asString(asRecord(spec, `${name} depends_on ${dep}`).condition, 'condition');
  }
  return out;
}

function commandOf(name: string): string[] {
  return asArray(service(name).command, `services.${name}.command`).map((part) =>
    asString(part, `services.${name}.command[]`),
  );
}

function healthcheckTest(name: string): string {
  const hc = asRecord(service(name).healthcheck, `services.${name}.healthcheck`);
  const test = hc.test;
  return Array.isArray(test)
    ? test.map((p) => asString(p, 'test[]')).join(' ')
    : asString(test, 'test');
}

/** Published ports as {published, target}, from the short `[ip:]published:target` syntax. */
function publishedPorts(name: string): { published: number; target: number }[] {
  const ports = service(name).ports;
  if (ports === undefined) return [];
  return asArray(ports, `services.${name}.ports`).map((entry) => {
    const parts = interpolateDefaults(asString(entry, 'port'))
      .replace(/\/tcp$/, '')
      .split(':');
    return { published: Number(parts.at(-2)), target: Number(parts.at(-1)) };
  });
}

function seconds(duration: string): number {
  const match = /^(\d+)(s|m)$/.exec(duration);
  if (!match) throw new Error(`unsupported duration ${duration}`);
  return Number(match[1]) * (match[2] === 'm' ? 60 : 1);
}

describe('docker-compose.yml', () => {
  it('defines the infrastructure and all six services', () => {
    for (const name of [...INFRA, ...APP_SERVICES]) expect(Object.keys(services)).toContain(name);
  });

  it('pins every image to an explicit tag that is not latest', () => {
    for (const [name, raw] of Object.entries(services)) {
      const svc = asRecord(raw, name);
      if (svc.build !== undefined) continue;
      const image = asString(svc.image, `services.${name}.image`);
      const tag = imageTag(image);
      expect({ name, tag }).toEqual({ name, tag: expect.stringMatching(/\d/) as unknown });
      expect(tag).not.toMatch(/latest/);
    }
  });

  it('runs PostgreSQL 16 or 17 with a volume and a pg_isready healthcheck', () => {
    const pg = service('postgres');
    expect(asString(pg.image, 'image')).toMatch(/^postgres:1[67][.\-\w]*$/);
    expect(healthcheckTest('postgres')).toContain('pg_isready');
    const volumes = asArray(pg.volumes, 'postgres.volumes').map((v) => asString(v, 'volume'));
    expect(volumes.some((v) => v.endsWith(':/var/lib/postgresql/data'))).toBe(true);
  });

  describe('nats', () => {
    const cmd = commandOf('nats');
    const configPath = cmd[cmd.indexOf('-c') + 1] ?? '';
    const mounts = asArray(service('nats').volumes, 'nats.volumes').map((v) =>
      asString(v, 'volume'),
    );
    const configMount = mounts.find((m) => m.split(':')[1] === configPath);

    it('runs with JetStream and a mounted config file', () => {
      expect(cmd).toContain('-js');
      expect(cmd).toContain('-c');
      expect(configMount).toBeDefined();
    });

    it('fsyncs every JetStream write and stores on a volume', () => {
      const source = (configMount ?? '').split(':')[0] ?? '';
      expect(source.startsWith('./')).toBe(true);
      const conf = readRepoFile(source.slice(2));
      const jetstream = /jetstream\s*\{([^}]*)\}/.exec(conf)?.[1] ?? '';
      expect(jetstream).toMatch(/^\s*sync_interval:\s*always\s*$/m);
      const storeDir = /^\s*store_dir:\s*(\S+)\s*$/m.exec(jetstream)?.[1];
      expect(storeDir).toBeDefined();
      expect(mounts.some((m) => m.split(':')[1] === storeDir && !m.startsWith('./'))).toBe(true);
      expect(conf).toMatch(/^\s*http_port:\s*8222\s*$/m);
    });

    it('is health-checked through the JetStream-aware monitoring endpoint', () => {
      expect(healthcheckTest('nats')).toContain(':8222/healthz?js-enabled-only=true');
    });
  });

  it('creates the bucket once with mc after MinIO is healthy', () => {
    expect(dependsOn('minio-init')).toEqual({ minio: 'service_healthy' });
    const cmd = commandOf('minio-init').join(' ');
    expect(cmd).toContain('mc mb --ignore-existing');
    expect(healthcheckTest('minio')).toBeTruthy();
  });

  it('migrates once, from the service image, after PostgreSQL is healthy', () => {
    const migrate = service('migrate');
    expect(asRecord(migrate.build, 'migrate.build').dockerfile).toBe('deploy/Dockerfile');
    expect(commandOf('migrate')).toEqual(['node', 'libs/cli/bin/sessionrec.js', 'migrate']);
    const cli = asRecord(readYaml('libs/cli/package.json'), 'libs/cli/package.json');
    expect(asRecord(cli.bin, 'bin').sessionrec).toBe('bin/sessionrec.js');
    expect(repoFileExists('libs/cli/bin/sessionrec.js')).toBe(true);
    expect(migrate.restart).toBe('no');
    expect(dependsOn('migrate').postgres).toBe('service_healthy');
    expect(environment('migrate').DATABASE_URL).toMatch(/^postgres:\/\/.+@postgres:5432\//);
  });

  describe.each(APP_SERVICES)('%s', (name) => {
    const port = SERVICE_PORTS[name];

    it('is a real service folder', () => {
      expect(repoFileExists(`services/${name}/src/main.ts`)).toBe(true);
    });

    it('is built from deploy/Dockerfile and runs its own entry point', () => {
      const build = asRecord(service(name).build, `${name}.build`);
      expect(build).toEqual({ context: '.', dockerfile: 'deploy/Dockerfile' });
      // Its Node.js options are the ones `sessionrec start` gives it (libs/config).
      expect(commandOf(name)).toEqual([
        'node',
        ...SERVICE_NODE_ARGS[name],
        `services/${name}/dist/main.js`,
      ]);
    });

    it('gets every variable it reads', () => {
      const env = environment(name);
      for (const key of SHARED_ENV) {
        expect(ENV_VARIABLES.map((v) => v.name)).toContain(key);
        expect({ key, set: key in env }).toEqual({ key, set: true });
        if (!MAY_BE_EMPTY.has(key))
          expect({ key, value: env[key] }).not.toEqual({ key, value: '' });
      }
      expect(env.HOST).toBe('0.0.0.0');
      expect(env[SERVICE_PORT_VARS[name]]).toBe(String(port));
      expect(env.STORAGE_URL).toMatch(/^s3:\/\/[a-z0-9.-]+$/);
      expect(env.S3_ENDPOINT).toBe('http://minio:9000');
      expect(env.S3_FORCE_PATH_STYLE).toBe('true');
      expect(env.NATS_URL).toBe('nats://nats:4222');
      for (const [key, pattern] of Object.entries(EXTRA_ENV[name] ?? {})) {
        expect(env[key]).toMatch(pattern);
      }
    });

    it('sets only variables the platform knows, and every one without a default', () => {
      const known = new Set([
        ...ENV_VARIABLES.map((v) => v.name),
        ...Object.keys(EXTRA_ENV[name] ?? {}),
      ]);
      const env = environment(name);
      for (const key of Object.keys(env))
        expect({ key, known: known.has(key) }).toEqual({ key, known: true });
      for (const v of ENV_VARIABLES) {
        if (v.default !== undefined || LEFT_UNSET.has(v.name) || PORT_VARS.has(v.name)) continue;
        expect({ key: v.name, set: v.name in env }).toEqual({ key: v.name, set: true });
      }
    });

    it('waits for the migration, NATS and the bucket', () => {
      expect(dependsOn(name)).toMatchObject({
        migrate: 'service_completed_successfully',
        nats: 'service_healthy',
        'minio-init': 'service_completed_successfully',
      });
    });

    it('is health-checked on its own /health/ready', () => {
      expect(healthcheckTest(name)).toContain(`127.0.0.1:${port}/health/ready`);
    });

    it('has time to drain on SIGTERM', () => {
      const grace = asString(service(name).stop_grace_period, `${name}.stop_grace_period`);
      expect(seconds(grace)).toBeGreaterThanOrEqual(30);
    });
  });

  it('publishes the console on 8080 and the agent gateway on 8081', () => {
    expect(publishedPorts('api')).toContainEqual({ published: 8080, target: 8080 });
    expect(publishedPorts('ingest')).toContainEqual({ published: 8081, target: 8081 });
  });

  it('declares every named volume it mounts', () => {
    const declared = Object.keys(asRecord(compose.volumes, 'volumes'));
    for (const [name, raw] of Object.entries(services)) {
      const volumes = asRecord(raw, name).volumes;
      if (volumes === undefined) continue;
      for (const v of asArray(volumes, `${name}.volumes`)) {
        const source = asString(v, 'volume').split(':')[0] ?? '';
        if (!source.startsWith('.') && !source.startsWith('/')) expect(declared).toContain(source);
      }
    }
  });

  it('documents every variable it interpolates in deploy/examples/compose.env', () => {
    const used = new Set(
      [...readRepoFile('docker-compose.yml').matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]),
    );
    const documented = new Set(
      [...readRepoFile('deploy/examples/compose.env').matchAll(/^([A-Z0-9_]+)=/gm)].map(
        (m) => m[1],
      ),
    );
    expect(used.size).toBeGreaterThan(5);
    for (const name of used)
      expect({ name, documented: documented.has(name) }).toEqual({ name, documented: true });
  });
});
