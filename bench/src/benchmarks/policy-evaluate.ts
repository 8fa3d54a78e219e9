/**
 * Policy evaluation at session start (issue 7): `policy.evaluate` request/reply against
 * the real built policy service holding a realistic policy (200 rules with user, group,
 * host, network and time-window matchers; the deciding rule is the last), beside a bare
 * NATS request/reply echo of the same payload answered by another Node process in the
 * same run (ratio): one at a time (latency p50/p99) and 64 in flight (answers/s).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import {
  createTestSchemas,
  deleteNamespaceStreams,
  dropTestSchemas,
  testDatabaseUrl,
  uniqueTestName,
} from '@sessionrec/testing';
import { type BenchContext, type Benchmark, type ResultRow, rate, runBounded } from '../benchmark';
import { percentile } from '../harness/quantiles';
import { freePort, ServiceProcess } from '../harness/service-process';
import { assertLoopbackUrl } from '../loopback';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const RULES = 200;
const IN_FLIGHT = 64;

/** 199 rules that do not match the sample session, then the one that does. */
function policy() {
  const misses = Array.from({ length: RULES - 1 }, (_, i) => ({
    id: `r${i}`,
    match: {
      users: [`user-${i}-*`, `svc-?${i}`],
      groups: [`team-${i}`],
      hosts: [`host-${i}-*`],
      clientNetworks: [`10.${i % 250}.0.0/16`],
      timeWindows: [
        {
          days: ['mon', 'tue', 'wed', 'thu', 'fri'],
          from: '08:00',
          to: '18:00',
          timeZone: 'Europe/Berlin',
        },
      ],
    },
    action: 'record',
  }));
  return {
    name: 'bench',
    defaultAction: { action: 'do-not-record' },
    rules: [
      ...misses,
      {
        id: 'admins-on-db',
        match: { groups: ['admins'], hosts: ['db-*'], clientNetworks: ['192.168.0.0/16'] },
        action: 'record',
        notice: { show: true },
      },
    ],
  };
}

function question() {
  return JSON.stringify({
    v: 1,
    sessionId: randomUUID(),
    agentId: randomUUID(),
    user: 'alice',
    groups: ['developers', 'admins'],
    host: 'db-prod-01',
    clientAddress: '192.168.7.20',
    protocol: 'terminal',
    at: new Date().toISOString(),
  });
}

/** A bare responder in its own process, as the policy service is: the same hops, no work. */
async function startEcho(natsUrl: string, subject: string): Promise<ChildProcess> {
  const code = `
    const { connect } = require('@nats-io/transport-node');
    connect({ servers: process.argv[1] }).then(async (nc) => {
      nc.subscribe(process.argv[2], { callback: (err, msg) => { if (!err) msg.respond(msg.data); } });
      await nc.flush();
      process.stdout.write('ready\\n');
    });`;
  const child = spawn(process.execPath, ['-e', code, natsUrl, subject], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`echo responder exited (${code})`)));
  });
  return child;
}

interface Measured {
  p50: number;
  p99: number;
  perSecond: number;
}

/** Latency one at a time, then throughput with IN_FLIGHT outstanding, for `ask`. */
async function measure(
  ctx: BenchContext,
  label: string,
  ask: () => Promise<void>,
): Promise<Measured> {
  const latencies: number[] = [];
  const half = ctx.durationMs / 2;
  let deadline = Date.now() + half;
  while (Date.now() < deadline) {
    const started = performance.now();
    await ask();
    latencies.push(performance.now() - started);
  }
  ctx.progress(`policy-evaluate: ${label}: ${latencies.length} sequential answers`);
  const started = Date.now();
  deadline = started + half;
  const done = await runBounded(Number.MAX_SAFE_INTEGER, IN_FLIGHT, deadline, ask);
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    perSecond: rate(done, Date.now() - started),
  };
}

export const policyEvaluate: Benchmark = {
  name: 'policy-evaluate',
  description: `policy.evaluate against a ${RULES}-rule policy, beside a bare NATS request/reply echo`,
  async run(ctx): Promise<ResultRow[]> {
    const name = uniqueTestName('bench_policy_eval');
    const nc: NatsConnection = await connect({
      servers: assertLoopbackUrl('NATS_URL', ctx.natsUrl),
      name: 'sessionrec-bench-policy-evaluate',
    });
    let service: ServiceProcess | undefined;
    let echo: ChildProcess | undefined;
    try {
      echo = await startEcho(ctx.natsUrl, `${name}.bench.echo`);
      await createTestSchemas(name);
      const port = await freePort();
      service = await ServiceProcess.start(REPO_ROOT, 'policy', port, {
        NATS_URL: ctx.natsUrl,
        NATS_NAMESPACE: name,
        DATABASE_URL: testDatabaseUrl(),
        DATABASE_SCHEMA: `${name}_policy`,
        POLICY_PORT: String(port),
        METRICS_ENABLED: 'false',
      });
      const put = await nc.request(
        `${name}.rpc.policy.put`,
        JSON.stringify({ v: 1, document: policy(), actor: { id: 'bench', name: 'bench' } }),
        { timeout: 10_000 },
      );
      if (!put.json<{ ok: boolean }>().ok) throw new Error(`policy refused: ${put.string()}`);
      // The answer must be the deciding rule, or the figures measure the wrong thing.
      const check = await nc.request(`${name}.rpc.policy.evaluate`, question(), { timeout: 5_000 });
      const decided = check.json<{ ruleId: string }>().ruleId;
      if (decided !== 'admins-on-db') throw new Error(`policy answered rule ${decided}`);

      const raw = await measure(ctx, 'bare echo', async () => {
        await nc.request(`${name}.bench.echo`, question(), { timeout: 5_000 });
      });
      service.resetUsage();
      const evaluated = await measure(ctx, 'policy.evaluate', async () => {
        await nc.request(`${name}.rpc.policy.evaluate`, question(), { timeout: 5_000 });
      });
      const usage = service.usage();
      return [
        { figure: 'evaluate latency p50 (one at a time)', value: evaluated.p50, unit: 'ms' },
        {
          figure: 'evaluate latency p99 (one at a time)',
          value: evaluated.p99,
          unit: 'ms',
          limit: 10,
        },
        { figure: 'bare NATS request/reply p50', value: raw.p50, unit: 'ms' },
        {
          figure: `evaluations answered (${IN_FLIGHT} in flight)`,
          value: evaluated.perSecond,
          unit: 'answers/s',
          ratio: evaluated.perSecond / raw.perSecond,
        },
        {
          figure: `bare NATS request/reply (${IN_FLIGHT} in flight)`,
          value: raw.perSecond,
          unit: 'answers/s',
        },
        {
          figure: 'policy CPU while evaluating',
          value: usage.cpuPercentOfOneCore,
          unit: '% of a core',
        },
        { figure: 'policy peak RSS', value: usage.peakRssMiB, unit: 'MiB' },
      ];
    } finally {
      echo?.kill();
      await service?.stop();
      await deleteNamespaceStreams(nc, name).catch(() => undefined);
      await nc.close();
      await dropTestSchemas(name).catch(() => undefined);
    }
  },
};
