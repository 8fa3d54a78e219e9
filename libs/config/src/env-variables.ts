/**
 * The machine-readable list of the platform's shared variables, derived from the schemas
 * themselves so the README table cannot drift from what `loadConfig` accepts.
 */
import { z } from 'zod';
import { envRegistry } from './env-var';
import { databaseEnv } from './groups/database';
import { SERVICE_PORTS, serviceHttpEnv, type ServiceName } from './groups/http';
import { natsEnv } from './groups/nats';
import { storageEnv } from './groups/storage';
import { apiEnv } from './groups/api';
import { indexerEnv } from './groups/indexer';
import { ingestEnv } from './groups/ingest';
import { policyEnv } from './groups/policy';
import { serviceEnv } from './groups/service';
import { telemetryEnv } from './groups/telemetry';

export interface EnvVariable {
  readonly name: string;
  /** As written in the environment; undefined when the variable is optional or required. */
  readonly default: string | undefined;
  readonly description: string;
  readonly secret: boolean;
}

/** Lists the variables a schema reads, nested groups included, in declaration order. */
export function describeEnv(schema: z.ZodObject): EnvVariable[] {
  return Object.entries(schema.shape).flatMap(([name, field]): EnvVariable[] => {
    if (field instanceof z.ZodObject) return describeEnv(field);
    const meta = envRegistry.get(field);
    return [
      {
        name,
        default: meta?.default,
        description: meta?.description ?? '',
        secret: meta?.secret === true,
      },
    ];
  });
}

function unique(variables: EnvVariable[]): EnvVariable[] {
  const byName = new Map<string, EnvVariable>();
  for (const variable of variables) {
    if (!byName.has(variable.name)) byName.set(variable.name, variable);
  }
  return [...byName.values()];
}

export const ENV_VARIABLES: readonly EnvVariable[] = unique([
  ...describeEnv(databaseEnv),
  ...describeEnv(natsEnv),
  ...describeEnv(storageEnv),
  ...describeEnv(telemetryEnv),
  ...describeEnv(serviceEnv),
  ...describeEnv(ingestEnv),
  ...describeEnv(indexerEnv),
  ...describeEnv(apiEnv),
  ...describeEnv(policyEnv),
  ...(Object.keys(SERVICE_PORTS) as ServiceName[]).flatMap((service) =>
    describeEnv(serviceHttpEnv(service)),
  ),
]);

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The README's configuration table. */
export function envTableMarkdown(variables: readonly EnvVariable[] = ENV_VARIABLES): string {
  const rows = variables.map(
    (v) =>
      `| \`${v.name}\` | ${v.default === undefined ? '' : `\`${cell(v.default)}\``} | ${
        v.secret ? 'yes' : ''
      } | ${cell(v.description)} |`,
  );
  return [
    '| Variable | Default | Secret | Description |',
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
