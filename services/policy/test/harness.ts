/**
 * What the policy integration specs share: real policy service instances booted in this
 * process on the suite's own NATS namespace and PostgreSQL schema.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { Messaging } from '@sessionrec/messaging';
import { type RunningService, runService } from '@sessionrec/runtime';
import {
  connectTestNats,
  createTestSchemas,
  deleteNamespaceStreams,
  dropTestSchemas,
  freePort,
  testDatabaseUrl,
  testNatsUrl,
} from '@sessionrec/testing';
import { PolicyModule } from '../src/policy.module';

export async function startPolicyService(name: string): Promise<RunningService> {
  const service = await runService(
    { name: 'policy', module: PolicyModule, database: 'policy' },
    {
      NATS_URL: testNatsUrl(),
      NATS_NAMESPACE: name,
      DATABASE_URL: testDatabaseUrl(),
      DATABASE_SCHEMA: `${name}_policy`,
      HOST: '127.0.0.1',
      POLICY_PORT: String(await freePort()),
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'fatal',
      METRICS_ENABLED: 'false',
    },
  );
  if (!service) throw new Error('policy service did not start (see stderr)');
  return service;
}

export interface PolicyHarness {
  readonly name: string;
  readonly services: RunningService[];
  readonly messaging: Messaging;
  readonly nc: NatsConnection;
  cleanup(): Promise<void>;
}

/** One instance per process: runService starts process-wide telemetry. */
export async function startPolicyHarness(name: string): Promise<PolicyHarness> {
  await createTestSchemas(name);
  const first = await startPolicyService(name);
  const services = [first];
  const nc = await connectTestNats('policy-test');
  return {
    name,
    services,
    messaging: first.app.get(Messaging),
    nc,
    cleanup: async () => {
      for (const s of services) await s.stop();
      await deleteNamespaceStreams(nc, name);
      await nc.close();
      await dropTestSchemas(name);
    },
  };
}
