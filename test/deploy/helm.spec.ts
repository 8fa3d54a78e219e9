// Static checks of helm/sessionrec: chart metadata, values that match the repository, and
// templates that only read values that exist and probe the health endpoints.
import {
  CHART,
  blockBalance,
  definedNames,
  includedNames,
  rangeBindings,
  skeleton,
  templateFiles,
  valuesPaths,
} from './helm-template';
import { SERVICE_NODE_ARGS } from '@sessionrec/config';
import {
  APP_SERVICES,
  SERVICE_PORTS,
  asArray,
  asRecord,
  asString,
  isRecord,
  lookup,
  readYaml,
  repoFileExists,
} from './repo';

const chart = asRecord(readYaml(`${CHART}/Chart.yaml`), 'Chart.yaml');
const values = asRecord(readYaml(`${CHART}/values.yaml`), 'values.yaml');
const servicesMap = asRecord(values.services, 'values.services');
const templates = templateFiles();

function template(name: string): string {
  const found = templates.find((t) => t.name === name);
  if (!found) throw new Error(`missing template ${name}`);
  return found.source;
}

function onlyDoc(name: string): Record<string, unknown> {
  const docs = skeleton(template(name));
  expect(docs).toHaveLength(1);
  return asRecord(docs[0], name);
}

function path(root: unknown, dotted: string): unknown {
  const { found, value } = lookup(root, dotted.split('.'));
  if (!found) throw new Error(`missing ${dotted}`);
  return value;
}

describe('helm/sessionrec', () => {
  it('has a v2 Chart.yaml with semantic versions', () => {
    expect(chart.apiVersion).toBe('v2');
    expect(chart.name).toBe('sessionrec');
    expect(chart.type).toBe('application');
    expect(asString(chart.version, 'version')).toMatch(/^\d+\.\d+\.\d+$/);
    expect(asString(chart.appVersion, 'appVersion')).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('has NOTES.txt and _helpers.tpl', () => {
    expect(templates.map((t) => t.name)).toEqual(
      expect.arrayContaining(['NOTES.txt', '_helpers.tpl']),
    );
  });

  describe('values.yaml', () => {
    it('lists exactly the six services, each a real folder on its own port', () => {
      expect(Object.keys(servicesMap).sort()).toEqual([...APP_SERVICES].sort());
      for (const name of APP_SERVICES) {
        expect(repoFileExists(`services/${name}/src/main.ts`)).toBe(true);
        const svc = asRecord(servicesMap[name], name);
        expect({ name, port: svc.port }).toEqual({ name, port: SERVICE_PORTS[name] });
        expect(svc.enabled).toBe(true);
        expect(svc.replicas).toEqual(expect.any(Number));
        expect(isRecord(svc.resources)).toBe(true);
      }
    });

    it('gives each service the Node.js options `sessionrec start` gives it', () => {
      for (const name of APP_SERVICES) {
        const svc = asRecord(servicesMap[name], name);
        expect({ name, nodeArgs: svc.nodeArgs }).toEqual({
          name,
          nodeArgs: [...SERVICE_NODE_ARGS[name]],
        });
      }
    });

    it('defaults to 3 stream replicas and reads secrets from existing Secrets', () => {
      expect(path(values, 'nats.replicas')).toBe(3);
      expect(path(values, 'database.existingSecret')).toEqual(expect.any(String));
      expect(path(values, 'storage.s3.existingSecret')).toEqual(expect.any(String));
      expect(JSON.stringify(values)).not.toMatch(/password"\s*:\s*"[^"]/i);
    });

    it('runs as a non-root user on a read-only root filesystem', () => {
      expect(path(values, 'podSecurityContext.runAsNonRoot')).toBe(true);
      expect(path(values, 'containerSecurityContext.readOnlyRootFilesystem')).toBe(true);
      expect(path(values, 'containerSecurityContext.allowPrivilegeEscalation')).toBe(false);
      expect(path(values, 'terminationGracePeriodSeconds')).toBeGreaterThanOrEqual(30);
    });

    it('offers ingress only for services that exist', () => {
      for (const name of Object.keys(asRecord(values.ingress, 'ingress'))) {
        expect(APP_SERVICES).toContain(name);
      }
    });
  });

  describe.each(templates.map((t) => [t.name, t.source] as const))(
    'template %s',
    (name, source) => {
      it('reads only values that exist in values.yaml', () => {
        for (const p of valuesPaths(source)) {
          expect({ path: p.join('.'), found: lookup(values, p).found }).toEqual({
            path: p.join('.'),
            found: true,
          });
        }
      });

      it('reads only fields every entry of a ranged map has', () => {
        for (const { map, fields } of rangeBindings(source)) {
          const entries = asRecord(lookup(values, map).value, map.join('.'));
          for (const [entry, body] of Object.entries(entries)) {
            for (const field of fields) {
              const where = `${map.join('.')}.${entry}.${field.join('.')}`;
              expect({ where, found: lookup(body, field).found }).toEqual({ where, found: true });
            }
          }
        }
      });

      it('closes every block it opens and includes only defined helpers', () => {
        const { opened, closed } = blockBalance(source);
        expect(closed).toBe(opened);
        const defined = definedNames(template('_helpers.tpl'));
        for (const included of includedNames(source)) expect(defined).toContain(included);
      });

      if (name.endsWith('.yaml')) {
        it('leaves a valid YAML skeleton with kind and metadata', () => {
          for (const doc of skeleton(source)) {
            const manifest = asRecord(doc, name);
            expect(manifest.apiVersion).toEqual(expect.any(String));
            expect(manifest.kind).toEqual(expect.any(String));
            expect(asRecord(manifest.metadata, 'metadata').name).toEqual(expect.any(String));
          }
        });
      }
    },
  );

  describe('workloads', () => {
    const deployment = onlyDoc('deployments.yaml');
    const podSpec = asRecord(path(deployment, 'spec.template.spec'), 'pod spec');
    const container = asRecord(asArray(podSpec.containers, 'containers')[0], 'container');

    it('loops a Deployment and a Service over the services map', () => {
      expect(deployment.kind).toBe('Deployment');
      expect(onlyDoc('services.yaml').kind).toBe('Service');
      for (const file of ['deployments.yaml', 'services.yaml']) {
        expect(template(file)).toMatch(/range \$name, \$svc := \.Values\.services\b/);
        expect(template(file)).toMatch(/if \$svc\.enabled/);
      }
    });

    it('starts each service from its own entry point in the shared image', () => {
      expect(template('deployments.yaml')).toContain(
        'args: ["node", {{- range $svc.nodeArgs }} {{ . | quote }},{{- end }} "services/{{ $name }}/dist/main.js"]',
      );
      expect(template('deployments.yaml')).toContain('name: {{ upper $name }}_PORT');
    });

    it('probes /health/live and /health/ready on the http port', () => {
      expect(path(container, 'livenessProbe.httpGet')).toEqual({
        path: '/health/live',
        port: 'http',
      });
      expect(path(container, 'readinessProbe.httpGet')).toEqual({
        path: '/health/ready',
        port: 'http',
      });
      expect(path(container, 'startupProbe.httpGet.path')).toBe('/health/live');
    });

    it('is scraped by Prometheus on /metrics', () => {
      const annotations = asRecord(
        path(deployment, 'spec.template.metadata.annotations'),
        'annotations',
      );
      expect(annotations['prometheus.io/scrape']).toBe('true');
      expect(annotations['prometheus.io/path']).toBe('/metrics');
      expect(Object.keys(annotations)).toContain('prometheus.io/port');
      expect(template('deployments.yaml')).toContain('prometheus.io/port: {{ $svc.port | quote }}');
    });

    it('takes config from the ConfigMap, secrets from Secrets, and writes only to /tmp', () => {
      expect(path(container, 'envFrom')).toEqual([{ configMapRef: { name: 'X-config' } }]);
      expect(template('_helpers.tpl')).toMatch(
        /secretKeyRef:\s+name: \{\{ required "database\.existingSecret/,
      );
      expect(path(container, 'volumeMounts')).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
      expect(template('deployments.yaml')).toContain('toYaml $.Values.containerSecurityContext');
      expect(template('deployments.yaml')).toContain('toYaml $.Values.podSecurityContext');
    });

    it('migrates in a pre-install/pre-upgrade hook Job', () => {
      const job = onlyDoc('migrate-job.yaml');
      expect(job.kind).toBe('Job');
      const annotations = asRecord(path(job, 'metadata.annotations'), 'annotations');
      expect(annotations['helm.sh/hook']).toBe('pre-install,pre-upgrade');
      const jobContainer = asRecord(
        asArray(path(job, 'spec.template.spec.containers'), 'containers')[0],
        'c',
      );
      expect(jobContainer.args).toEqual(['node', 'libs/cli/bin/sessionrec.js', 'migrate']);
      expect(path(job, 'spec.template.spec.restartPolicy')).toBe('Never');
    });

    it('puts the non-secret settings in the ConfigMap', () => {
      const helpers = template('_helpers.tpl');
      for (const key of [
        'HOST',
        'NATS_URL',
        'NATS_NAMESPACE',
        'NATS_REPLICAS',
        'STORAGE_URL',
        'S3_REGION',
        'S3_FORCE_PATH_STYLE',
        'LOG_LEVEL',
      ]) {
        expect(helpers).toMatch(new RegExp(`^${key}: `, 'm'));
      }
      expect(onlyDoc('configmap.yaml').kind).toBe('ConfigMap');
    });

    it('offers an optional PodDisruptionBudget', () => {
      expect(template('pdb.yaml')).toMatch(
        /^\{\{- if \.Values\.podDisruptionBudget\.enabled \}\}/m,
      );
      expect(onlyDoc('pdb.yaml').kind).toBe('PodDisruptionBudget');
    });
  });

  it('recommends a NATS cluster of 3 with fsync on every write', () => {
    const nats = readYaml('deploy/examples/nats-values.yaml');
    expect(path(nats, 'config.cluster.replicas')).toBe(3);
    expect(path(nats, 'config.jetstream.fileStore.enabled')).toBe(true);
    expect(path(nats, 'config.jetstream.merge.sync_interval')).toBe('always');
  });
});
