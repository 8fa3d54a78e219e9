/**
 * The response engine (issue 7) with the real built policy service as a child process:
 * - events/s through the engine for events no rule wants (the in-memory path) and for
 *   events a counting, session-scoped rule wants (one PostgreSQL transaction each), beside
 *   the rate at which the same events were published to JetStream (ratios);
 * - correctness under load: the response requests published must be exactly
 *   sessions × floor(events per session / count);
 * - bounded state: the policy process's peak RSS, and the hit rows left in PostgreSQL
 *   (at most sessions × (count − 1), whatever the number of events).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { streamName } from '@sessionrec/contracts';
import {
  createTestSchemas,
  deleteNamespaceStreams,
  dropTestSchemas,
  testDatabaseUrl,
  uniqueTestName,
} from '@sessionrec/testing';
import { Client } from 'pg';
import { type BenchContext, type Benchmark, type ResultRow, rate } from '../benchmark';
import { freePort, ServiceProcess } from '../harness/service-process';
import { assertLoopbackUrl } from '../loopback';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const SESSIONS = 200;
const EVENTS = Number(process.env.BENCH_RESPONSES_EVENTS ?? 10_000);
const COUNT = 5;
const T0 = Date.parse('2026-01-05T10:00:00Z');

/** 40 rules on other event types (evaluated and rejected in memory), then the counted one. */
function rules() {
  const others = ['clipboard.use', 'file.transfer', 'privilege.use', 'app.start'] as const;
  return {
    name: 'bench',
    rules: [
      ...Array.from({ length: 40 }, (_, i) => ({
        id: `other-${i}`,
        match: {
          events: [{ eventType: others[i % others.length], attributes: { name: `x${i}*` } }],
        },
        actions: [{ action: 'lock' }],
      })),
      {
        id: 'usb-burst',
        match: { events: [{ eventType: 'usb.insert' }], groups: ['staff'] },
        condition: { count: COUNT, windowSeconds: 600 },
        actions: [{ action: 'notify', channel: 'webhook', webhook: 'soc' }],
        throttleSeconds: 0,
      },
    ],
  };
}

async function drained(nc: NatsConnection, name: string, deadline: number): Promise<boolean> {
  const jsm = await jetstreamManager(nc);
  const stream = streamName(name, 'EVENTS');
  while (Date.now() < deadline) {
    const info = await jsm.consumers.info(stream, 'policy-response-rules');
    if (info.num_pending === 0 && info.num_ack_pending === 0) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

async function publishEvents(
  nc: NatsConnection,
  name: string,
  type: string,
  sessions: readonly { id: string; agent: string }[],
): Promise<number> {
  const js = jetstream(nc);
  const inflight = new Set<Promise<unknown>>();
  const started = Date.now();
  for (let i = 0; i < EVENTS; i++) {
    const s = sessions[i % sessions.length]!;
    const eventId = randomUUID();
    const payload = {
      v: 1,
      eventId,
      sessionId: s.id,
      agentId: s.agent,
      type,
      // One event a second per session: a window of 600 s holds all of them.
      at: new Date(T0 + Math.floor(i / sessions.length) * 1000).toISOString(),
      offsetMs: i,
      attributes: { name: 'bench' },
    };
    const p = js
      .publish(`${name}.event.${type}`, JSON.stringify(payload), {
        msgID: `event:${eventId}`,
        headers: natsHeaders(),
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
    if (inflight.size >= 1024) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  return rate(EVENTS, Date.now() - started);
}

async function phase(
  ctx: BenchContext,
  nc: NatsConnection,
  name: string,
  type: string,
  sessions: readonly { id: string; agent: string }[],
) {
  ctx.progress(`responses: ${EVENTS} ${type} events`);
  const started = Date.now();
  const publishRate = await publishEvents(nc, name, type, sessions);
  const ok = await drained(nc, name, started + Math.max(300_000, ctx.durationMs * 30));
  if (!ok) throw new Error(`responses: ${type} events not evaluated in time`);
  return { engineRate: rate(EVENTS, Date.now() - started), publishRate };
}

export const responses: Benchmark = {
  name: 'responses',
  description: `response engine: ${EVENTS} events not wanted by any rule and ${EVENTS} counted by a scoped rule (count ${COUNT}), ${SESSIONS} sessions`,
  async run(ctx): Promise<ResultRow[]> {
    const name = uniqueTestName('bench_responses');
    const schema = `${name}_policy`;
    const pg = new Client({ connectionString: testDatabaseUrl() });
    const nc = await connect({
      servers: assertLoopbackUrl('NATS_URL', ctx.natsUrl),
      name: 'sessionrec-bench-responses',
    });
    let service: ServiceProcess | undefined;
    try {
      await createTestSchemas(name);
      await pg.connect();
      const port = await freePort();
      service = await ServiceProcess.start(REPO_ROOT, 'policy', port, {
        NATS_URL: ctx.natsUrl,
        NATS_NAMESPACE: name,
        DATABASE_URL: testDatabaseUrl(),
        DATABASE_SCHEMA: schema,
        POLICY_PORT: String(port),
        METRICS_ENABLED: 'false',
      });
      const put = await nc.request(
        `${name}.rpc.policy.responses.put`,
        JSON.stringify({ v: 1, document: rules(), actor: { id: 'bench', name: 'bench' } }),
        { timeout: 10_000 },
      );
      if (!put.json<{ ok: boolean }>().ok) throw new Error(`rules refused: ${put.string()}`);

      const sessions = Array.from({ length: SESSIONS }, () => ({
        id: randomUUID(),
        agent: randomUUID(),
      }));
      const js = jetstream(nc);
      for (const s of sessions) {
        await js.publish(
          `${name}.session.started`,
          JSON.stringify({
            v: 1,
            sessionId: s.id,
            agentId: s.agent,
            host: 'bench-host',
            user: 'bench',
            groups: ['staff'],
            protocol: 'desktop',
            startedAt: new Date(T0).toISOString(),
          }),
          { msgID: `session.started:${s.id}` },
        );
      }
      while (true) {
        const { rows } = await pg.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM "${schema}".response_sessions`,
        );
        if ((rows[0]?.n ?? 0) >= SESSIONS) break;
        await new Promise((r) => setTimeout(r, 50));
      }

      const idle = await phase(ctx, nc, name, 'app.focus', sessions);
      service.resetUsage();
      const counted = await phase(ctx, nc, name, 'usb.insert', sessions);
      const usage = service.usage();

      const jsm = await jetstreamManager(nc);
      const requests = (await jsm.streams.info(streamName(name, 'RESPONSES'))).state.messages;
      const expected = SESSIONS * Math.floor(EVENTS / SESSIONS / COUNT);
      const { rows } = await pg.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${schema}".response_hits`,
      );
      const hitsLeft = rows[0]?.n ?? 0;
      return [
        {
          figure: 'events no rule wants, through the engine',
          value: idle.engineRate,
          unit: 'events/s',
        },
        {
          figure: 'same / their JetStream publish rate',
          value: (100 * idle.engineRate) / idle.publishRate,
          unit: '%',
          ratio: idle.engineRate / idle.publishRate,
        },
        {
          figure: `events counted by a scoped rule (count ${COUNT})`,
          value: counted.engineRate,
          unit: 'events/s',
        },
        {
          figure: 'same / their JetStream publish rate',
          value: (100 * counted.engineRate) / counted.publishRate,
          unit: '%',
          ratio: counted.engineRate / counted.publishRate,
        },
        {
          figure: 'response requests published / expected',
          value: requests,
          unit: 'requests',
          limit: expected,
          ratio: requests / expected,
        },
        {
          figure: 'hit rows left in PostgreSQL (bound: sessions × (count − 1))',
          value: hitsLeft,
          unit: 'rows',
          limit: SESSIONS * (COUNT - 1),
        },
        {
          figure: 'policy peak RSS while counting',
          value: usage.peakRssMiB,
          unit: 'MiB',
          limit: 512,
        },
        {
          figure: 'policy CPU while counting',
          value: usage.cpuPercentOfOneCore,
          unit: '% of a core',
        },
      ];
    } finally {
      await service?.stop();
      await deleteNamespaceStreams(nc, name).catch(() => undefined);
      await nc.close();
      await pg.end().catch(() => undefined);
      await dropTestSchemas(name).catch(() => undefined);
    }
  },
};
