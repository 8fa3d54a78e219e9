/**
 * What the policy integration specs share: real policy service instances booted in this
 * process on the suite's own NATS namespace and PostgreSQL schema.
 */
import { createServer } from 'node:net';
import type { NatsConnection } from '@nats-io/nats-core';
import { Messaging } from '@sessionrec/messaging';
import { type RunningService, runService } from '@sessionrec/runtime';
import {
  connectTestNats,
  createTestSchemas,
  deleteNamespaceStreams,
  dropTestSchemas,
  testDatabaseUrl,
  testNatsUrl,
} from '@sessionrec/testing';
import { PolicyModule } from '../src/policy.module';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

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

export async function startPolicyHarness(name: string, instances = 1): Promise<PolicyHarness> {
  await createTestSchemas(name);
  const services: RunningService[] = [];
  for (let i = 0; i < instances; i++) services.push(await startPolicyService(name));
  const first = services[0];
  if (!first) throw new Error('no instance');
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
