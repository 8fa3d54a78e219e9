/**
 * The response engine against real NATS JetStream and PostgreSQL: events published on the
 * suite's namespace, response rules published through policy.responses.put, and the
 * exact response.requested messages read back from the RESPONSES stream.
 */
import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import {
  HEADERS,
  type EventType,
  type ResponseRequested,
  type SessionStarted,
  streamName,
} from '@sessionrec/contracts';
import { Messaging } from '@sessionrec/messaging';
import { readStream, testDatabaseUrl, uniqueTestName, waitFor } from '@sessionrec/testing';
import { Client } from 'pg';
import { ResponseStateSweeper } from '../src/responses/response-state.sweeper';
import { type PolicyHarness, startPolicyHarness, startPolicyService } from './harness';

const actor = { id: '00000000-0000-4000-8000-0000000000aa', name: 'pat' };
const T0 = Date.parse('2026-01-05T10:00:00Z'); // a Monday, 11:00 in Berlin

function at(seconds: number): string {
  return new Date(T0 + seconds * 1000).toISOString();
}

describe('response rules on the event stream (real NATS and PostgreSQL)', () => {
  let h: PolicyHarness;
  let pg: Client;
  const agentId = randomUUID();

  beforeAll(async () => {
    h = await startPolicyHarness(uniqueTestName('responses'));
    pg = new Client({ connectionString: testDatabaseUrl() });
    await pg.connect();
  });

  afterAll(async () => {
    await pg.end();
    await h.cleanup();
  });

  const messaging = (): Messaging => h.services.at(-1)?.app.get(Messaging) ?? h.messaging;

  async function putRules(document: unknown): Promise<void> {
    const reply = await messaging().request(
      'policy.responses.put',
      { v: 1, document, actor },
      { timeoutMs: 5000 },
    );
    if (!reply.ok) throw new Error(JSON.stringify(reply.errors));
  }

  async function startSession(
    user = 'alice',
    groups: string[] = ['staff'],
    host = 'web-01',
  ): Promise<SessionStarted> {
    const s: SessionStarted = {
      v: 1,
      sessionId: randomUUID(),
      agentId,
      host,
      user,
      groups,
      protocol: 'desktop',
      startedAt: at(-3600),
    };
    await messaging().publish('session.started', s);
    await waitFor(async () => {
      const r = await pg.query(
        `SELECT 1 FROM "${h.name}_policy".response_sessions WHERE session_id = $1`,
        [s.sessionId],
      );
      return r.rowCount === 1;
    });
    return s;
  }

  async function event(
    sessionId: string,
    type: EventType,
    seconds: number,
    attributes: Record<string, string> = {},
    eventId: string = randomUUID(),
  ): Promise<string> {
    await messaging().publish('event', {
      v: 1,
      eventId,
      sessionId,
      agentId,
      type,
      at: at(seconds),
      offsetMs: 1000,
      attributes,
    });
    return eventId;
  }

  /** Every event published so far has been handled and acknowledged. */
  async function settled(): Promise<void> {
    const jsm = await jetstreamManager(h.nc);
    await waitFor(async () => {
      const info = await jsm.consumers.info(streamName(h.name, 'EVENTS'), 'policy-response-rules');
      return info.num_pending === 0 && info.num_ack_pending === 0;
    });
  }

  async function requestsFor(sessionId: string): Promise<ResponseRequested[]> {
    return (await readStream(h.nc, h.name, 'RESPONSES'))
      .filter((m) => m.header?.get(HEADERS.messageType) === 'response.requested')
      .map((m) => m.json<ResponseRequested>())
      .filter((r) => r.sessionId === sessionId);
  }

  it('asks once when the count is reached within the window, then counts afresh', async () => {
    await putRules({
      name: 'burst',
      rules: [
        {
          id: 'usb-burst',
          match: { events: [{ eventType: 'usb.insert', attributes: { vendor: 'King*' } }] },
          condition: { count: 3, windowSeconds: 600 },
          actions: [{ action: 'lock', message: 'Too many USB devices' }],
          throttleSeconds: 0,
        },
      ],
    });
    const s = await startSession();
    const e1 = await event(s.sessionId, 'usb.insert', 0, { vendor: 'Kingston' });
    await settled();
    await event(s.sessionId, 'usb.insert', 30, { vendor: 'SanDisk' }); // attribute mismatch
    await settled();
    const e2 = await event(s.sessionId, 'usb.insert', 60, { vendor: 'Kingston' });
    await settled();
    expect(await requestsFor(s.sessionId)).toEqual([]);

    const e3 = await event(s.sessionId, 'usb.insert', 120, { vendor: 'kingston' });
    await settled();
    const e4 = await event(s.sessionId, 'usb.insert', 180, { vendor: 'Kingston' });
    await settled();
    const requests = await requestsFor(s.sessionId);
    expect(requests).toEqual([
      {
        v: 1,
        responseId: expect.any(String) as unknown,
        ruleId: 'usb-burst',
        sessionId: s.sessionId,
        agentId,
        action: 'lock',
        eventIds: [e1, e2, e3],
        params: { message: 'Too many USB devices', rulesVersion: 1, eventType: 'usb.insert' },
        requestedAt: expect.any(String) as unknown,
      },
    ]);
    expect(requests[0]?.eventIds).not.toContain(e4);
  });

  it('forgets events that fell out of the window', async () => {
    const s = await startSession();
    await event(s.sessionId, 'usb.insert', 0, { vendor: 'Kingston' });
    await settled();
    const kept = await event(s.sessionId, 'usb.insert', 100, { vendor: 'Kingston' });
    await settled();
    // At 650 s the first event is outside the 600 s window: two remain, no request.
    const late1 = await event(s.sessionId, 'usb.insert', 650, { vendor: 'Kingston' });
    await settled();
    expect(await requestsFor(s.sessionId)).toEqual([]);
    const late2 = await event(s.sessionId, 'usb.insert', 660, { vendor: 'Kingston' });
    await settled();
    expect((await requestsFor(s.sessionId)).map((r) => r.eventIds)).toEqual([[kept, late1, late2]]);
  });

  it('consumes only the events that reached the count; a late one still counts', async () => {
    await putRules({
      name: 'pairs',
      rules: [
        {
          id: 'usb-pair',
          match: { events: [{ eventType: 'usb.remove' }] },
          condition: { count: 2, windowSeconds: 600 },
          actions: [{ action: 'lock' }],
          throttleSeconds: 0,
        },
      ],
    });
    const s = await startSession();
    const e20 = await event(s.sessionId, 'usb.remove', 20);
    await settled();
    const late5 = await event(s.sessionId, 'usb.remove', 5); // alone in (−595 s, 5 s]
    await settled();
    const e30 = await event(s.sessionId, 'usb.remove', 30);
    await settled();
    const e40 = await event(s.sessionId, 'usb.remove', 40);
    await settled();
    expect((await requestsFor(s.sessionId)).map((r) => r.eventIds)).toEqual([
      [e20, e30],
      [late5, e40],
    ]);
  });

  it('throttles repeated requests of one rule, session and action', async () => {
    await putRules({
      name: 'throttle',
      rules: [
        {
          id: 'clipboard',
          match: { events: [{ eventType: 'clipboard.use' }] },
          actions: [{ action: 'notify', channel: 'webhook', webhook: 'soc' }],
          throttleSeconds: 300,
        },
      ],
    });
    const s = await startSession();
    const other = await startSession('bob');
    // One at a time: the throttle is measured from the request that went out.
    const first = await event(s.sessionId, 'clipboard.use', 0);
    await settled();
    await event(s.sessionId, 'clipboard.use', 100);
    await settled();
    await event(s.sessionId, 'clipboard.use', 299);
    await settled();
    const otherFirst = await event(other.sessionId, 'clipboard.use', 100);
    await settled();
    const after = await event(s.sessionId, 'clipboard.use', 300);
    await settled();
    expect((await requestsFor(s.sessionId)).map((r) => r.eventIds)).toEqual([[first], [after]]);
    expect((await requestsFor(other.sessionId)).map((r) => r.eventIds)).toEqual([[otherFirst]]);
  });

  it('evaluates rules in order, asks the same thing once and stops at a final rule', async () => {
    await putRules({
      name: 'order',
      rules: [
        {
          id: 'tell-soc',
          match: { events: [{ eventType: 'file.write.removable' }] },
          actions: [{ action: 'notify', channel: 'email', recipients: ['soc@example.org'] }],
        },
        {
          id: 'lock-it',
          match: { events: [{ eventType: 'file.write.removable' }] },
          actions: [{ action: 'lock', message: 'Removable storage is not allowed' }],
        },
        {
          id: 'lock-it-too',
          match: { events: [{ eventType: 'file.write.removable' }] },
          actions: [
            { action: 'lock', message: 'Removable storage is not allowed' },
            { action: 'block-transfer' },
          ],
          final: true,
        },
        {
          id: 'never',
          match: { events: [{ eventType: 'file.write.removable' }] },
          actions: [{ action: 'logoff' }],
        },
      ],
    });
    const s = await startSession();
    await event(s.sessionId, 'file.write.removable', 0, { path: '/media/usb/payroll.xlsx' });
    await settled();
    expect((await requestsFor(s.sessionId)).map((r) => [r.ruleId, r.action])).toEqual([
      ['tell-soc', 'notify'],
      ['lock-it', 'lock'],
      ['lock-it-too', 'block-transfer'],
    ]);
  });

  it('matches outside hours in the window zone across the spring-forward change', async () => {
    await putRules({
      name: 'hours',
      rules: [
        {
          id: 'night-sudo',
          match: {
            events: [{ eventType: 'privilege.use' }],
            groups: ['contractors-*'],
            // Sunday 01:00-03:00 Berlin is allowed; 02:00-03:00 does not exist on 2026-03-29.
            outsideHours: [
              { days: ['sun'], from: '01:00', to: '03:00', timeZone: 'Europe/Berlin' },
            ],
          },
          actions: [{ action: 'disconnect' }],
          throttleSeconds: 0,
        },
      ],
    });
    const contractor = await startSession('carol', ['contractors-acme']);
    const staff = await startSession('dave', ['staff']);
    const iso = (s: string) => Date.parse(s) / 1000 - T0 / 1000;
    await event(contractor.sessionId, 'privilege.use', iso('2026-03-29T00:30:00Z')); // 01:30 CET
    await event(contractor.sessionId, 'privilege.use', iso('2026-03-29T00:59:00Z')); // 01:59 CET
    const after = await event(contractor.sessionId, 'privilege.use', iso('2026-03-29T01:00:00Z')); // 03:00 CEST
    const before = await event(contractor.sessionId, 'privilege.use', iso('2026-03-28T23:59:00Z')); // 00:59 CET
    await event(staff.sessionId, 'privilege.use', iso('2026-03-29T01:00:00Z'));
    await settled();
    const ids = (await requestsFor(contractor.sessionId)).map((r) => r.eventIds[0]);
    expect(ids.sort()).toEqual([after, before].sort());
    expect(await requestsFor(staff.sessionId)).toEqual([]);
  });

  it('never asks twice for an event delivered again, nor counts it twice', async () => {
    await putRules({
      name: 'again',
      rules: [
        {
          id: 'usb-twice',
          match: { events: [{ eventType: 'usb.insert' }] },
          condition: { count: 2, windowSeconds: 600 },
          actions: [{ action: 'lock' }],
          throttleSeconds: 0,
        },
      ],
    });
    const s = await startSession();
    const e1 = await event(s.sessionId, 'usb.insert', 0);
    await settled();
    const e2 = await event(s.sessionId, 'usb.insert', 10);
    await settled();
    // The same event stored again under another message id (a re-sent upload): JetStream
    // delivers it a second time and only the evaluated mark in PostgreSQL keeps it from
    // asking again or counting towards the next pair.
    await messaging().publish(
      'event',
      {
        v: 1,
        eventId: e2,
        sessionId: s.sessionId,
        agentId,
        type: 'usb.insert',
        at: at(10),
        offsetMs: 1000,
        attributes: {},
      },
      { messageId: `resent:${e2}` },
    );
    await settled();
    await event(s.sessionId, 'usb.insert', 20);
    await settled();
    expect((await requestsFor(s.sessionId)).map((r) => r.eventIds)).toEqual([[e1, e2]]);
  });

  it('waits for a late session.started (redelivery) and then asks exactly once', async () => {
    await putRules({
      name: 'scoped',
      rules: [
        {
          id: 'admins-usb',
          match: { events: [{ eventType: 'usb.insert' }], users: ['erin'] },
          actions: [{ action: 'logoff' }],
        },
      ],
    });
    const s: SessionStarted = {
      v: 1,
      sessionId: randomUUID(),
      agentId,
      host: 'web-02',
      user: 'erin',
      groups: [],
      protocol: 'terminal',
      startedAt: at(-60),
    };
    const id = await event(s.sessionId, 'usb.insert', 0);
    const jsm = await jetstreamManager(h.nc);
    await waitFor(async () => {
      const info = await jsm.consumers.info(streamName(h.name, 'EVENTS'), 'policy-response-rules');
      return info.num_redelivered > 0;
    });
    await messaging().publish('session.started', s);
    await settled();
    expect((await requestsFor(s.sessionId)).map((r) => [r.action, r.eventIds])).toEqual([
      ['logoff', [id]],
    ]);
  });

  it('dead-letters an event whose session never becomes known, with the reason', async () => {
    const sessionId = randomUUID();
    const id = await event(sessionId, 'usb.insert', 0);
    await waitFor(
      async () =>
        (await readStream(h.nc, h.name, 'DEADLETTER')).some(
          (m) => m.json<{ eventId?: string }>().eventId === id,
        ),
      30_000,
      'the dead letter',
    );
    const dead = (await readStream(h.nc, h.name, 'DEADLETTER')).find(
      (m) => m.json<{ eventId?: string }>().eventId === id,
    );
    expect(dead?.header?.get(HEADERS.dlqReason)).toMatch(
      new RegExp(`permanent error: session ${sessionId} is not known`),
    );
    expect(await requestsFor(sessionId)).toEqual([]);
  });

  it('keeps counts per user across sessions and across a restart of the service', async () => {
    await putRules({
      name: 'per-user',
      rules: [
        {
          id: 'sudo-per-user',
          match: { events: [{ eventType: 'privilege.use' }] },
          condition: { count: 3, windowSeconds: 3600, per: 'user' },
          actions: [{ action: 'notify', channel: 'webhook', webhook: 'soc', message: 'sudo x3' }],
        },
      ],
    });
    const a = await startSession('frank');
    const b = await startSession('frank');
    const e1 = await event(a.sessionId, 'privilege.use', 0);
    await settled();
    const e2 = await event(b.sessionId, 'privilege.use', 60);
    await settled();

    await h.services[0]?.stop();
    h.services.push(await startPolicyService(h.name));

    const e3 = await event(b.sessionId, 'privilege.use', 120);
    await settled();
    const requests = await requestsFor(b.sessionId);
    expect(requests.map((r) => [r.ruleId, r.eventIds])).toEqual([['sudo-per-user', [e1, e2, e3]]]);
    expect(await requestsFor(a.sessionId)).toEqual([]);
  });

  it('stays responsive with a pathological glob against an 8 KiB attribute', async () => {
    await putRules({
      name: 'pathological',
      rules: [
        {
          id: 'many-stars',
          match: {
            events: [{ eventType: 'app.start', attributes: { commandLine: '*a*a*a*a*a*a*b' } }],
          },
          actions: [{ action: 'lock' }],
          throttleSeconds: 0,
        },
      ],
    });
    const s = await startSession();
    await event(s.sessionId, 'app.start', 0, { commandLine: 'a'.repeat(8192) });
    const hit = await event(s.sessionId, 'app.start', 1, { commandLine: `${'a'.repeat(8191)}b` });
    await settled();
    expect((await requestsFor(s.sessionId)).map((r) => r.eventIds)).toEqual([[hit]]);
  });

  it('sweeps state no decision can need again', async () => {
    const schema = `"${h.name}_policy"`;
    const old = randomUUID();
    await pg.query(
      `INSERT INTO ${schema}.response_hits (rule_id, scope_key, event_id, at)
       VALUES ('gone', 'session:x', $1, now() - interval '9 days'),
              ('kept', 'session:x', $2, now() - interval '1 day')`,
      [old, randomUUID()],
    );
    await pg.query(
      `INSERT INTO ${schema}.response_processed_events (event_id, processed_at)
       VALUES ($1, now() - interval '40 days')`,
      [old],
    );
    const sweeper = h.services.at(-1)?.app.get(ResponseStateSweeper);
    expect(await sweeper?.sweep()).toBeGreaterThanOrEqual(2);
    const hits = await pg.query<{ rule_id: string }>(
      `SELECT rule_id FROM ${schema}.response_hits WHERE rule_id IN ('gone', 'kept')`,
    );
    expect(hits.rows).toEqual([{ rule_id: 'kept' }]);
    const processed = await pg.query(
      `SELECT 1 FROM ${schema}.response_processed_events WHERE event_id = $1`,
      [old],
    );
    expect(processed.rowCount).toBe(0);
  });

  it('rejects hostile and invalid rule documents naming the field, storing nothing', async () => {
    const before = await messaging().request(
      'policy.responses.list-versions',
      { v: 1, limit: 100 },
      { timeoutMs: 5000 },
    );
    const cases: [unknown, string][] = [
      [
        JSON.parse('{"name":"x","rules":[{"id":"a","__proto__":{"admin":true}}]}'),
        'rules[0].__proto__: forbidden key',
      ],
      [
        {
          name: 'x',
          rules: [
            {
              id: 'a',
              match: { events: [{ eventType: 'usb.insert' }] },
              condition: { count: 5 },
              actions: [{ action: 'lock' }],
            },
          ],
        },
        'rules[0].condition.windowSeconds: required when count > 1',
      ],
      [
        {
          name: 'x',
          rules: [
            {
              id: 'a',
              match: {
                events: [{ eventType: 'usb.insert' }],
                outsideHours: [
                  { days: ['sun'], from: '01:00', to: '03:00', timeZone: 'Mars/Base' },
                ],
              },
              actions: [{ action: 'lock' }],
            },
          ],
        },
        'rules[0].match.outsideHours[0].timeZone: unknown time zone "Mars/Base"',
      ],
      [{ name: 'x', rules: 'all' }, 'rules: '],
    ];
    for (const [document, expected] of cases) {
      const reply = await messaging().request(
        'policy.responses.put',
        { v: 1, document, actor },
        { timeoutMs: 5000 },
      );
      expect(reply.ok).toBe(false);
      if (!reply.ok) {
        expect(reply.errors.map((e) => `${e.path}: ${e.message}`).join('\n')).toContain(expected);
      }
    }
    const after = await messaging().request(
      'policy.responses.list-versions',
      { v: 1, limit: 100 },
      { timeoutMs: 5000 },
    );
    expect(after).toEqual(before);
  });

  it('versions, audits and tests response rules', async () => {
    const versions = await messaging().request(
      'policy.responses.list-versions',
      { v: 1, limit: 100 },
      { timeoutMs: 5000 },
    );
    expect(versions.activeVersion).toBe(versions.versions[0]?.version);
    expect(versions.versions.length).toBeGreaterThanOrEqual(9);
    const audit = (await readStream(h.nc, h.name, 'AUDIT'))
      .map((m) =>
        m.json<{ action: string; target: { type: string }; details: { version: number } }>(),
      )
      .filter((a) => a.target.type === 'response-rules');
    expect(audit.map((a) => a.details.version)).toEqual(
      versions.versions.map((v) => v.version).reverse(),
    );

    const active = await messaging().request(
      'policy.responses.test',
      {
        v: 1,
        event: { type: 'app.start', at: at(0), attributes: { commandLine: 'aaaaaab' } },
      },
      { timeoutMs: 5000 },
    );
    expect(active).toMatchObject({
      ok: true,
      rulesVersion: versions.activeVersion,
      matches: [{ ruleId: 'many-stars', actions: ['lock'], count: 1 }],
    });
    const draft = {
      name: 'draft',
      rules: [
        {
          id: 'sudo-per-user',
          match: { events: [{ eventType: 'privilege.use' }], users: ['frank'] },
          condition: { count: 3, windowSeconds: 3600, per: 'user' },
          actions: [{ action: 'logoff' }],
        },
      ],
    };
    const sudo = { type: 'privilege.use' as const, at: at(0), attributes: {} };
    const frank = await messaging().request(
      'policy.responses.test',
      { v: 1, event: sudo, session: { user: 'frank', groups: [], host: 'db-01' }, document: draft },
      { timeoutMs: 5000 },
    );
    expect(frank).toMatchObject({
      ok: true,
      rulesVersion: 0,
      matches: [{ ruleId: 'sudo-per-user', count: 3, windowSeconds: 3600, per: 'user' }],
    });
    const nobody = await messaging().request(
      'policy.responses.test',
      { v: 1, event: sudo, document: draft },
      { timeoutMs: 5000 },
    );
    expect(nobody).toMatchObject({
      ok: true,
      matches: [],
      explanation: 'no rule matches this event',
    });
  });
});
