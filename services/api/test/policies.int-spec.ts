import { randomUUID } from 'node:crypto';
import type { Subscription } from '@nats-io/nats-core';
import {
  fullSubject,
  HEADERS,
  REQUESTS,
  type RequestType,
  validateRecordingPolicy,
} from '@sessionrec/contracts';
import { hashPassword } from '../src/auth/secrets';
import { readStream } from '@sessionrec/testing';
import { adminToken, type ApiHarness, get, login, startApi } from './api-harness';

/**
 * A stand-in policy service on the suite's namespace (one policy service per process is
 * all runService allows; the real one is tested in services/policy/test). It validates
 * with the same shared validator and records what the api asked.
 */
function servePolicyFixture(
  h: ApiHarness,
  asked: { type: string; body: unknown }[],
): Subscription[] {
  const answer = (type: RequestType, reply: (body: Record<string, unknown>) => unknown) =>
    h.nc.subscribe(fullSubject(h.name, REQUESTS[type].subject), {
      callback: (_err, msg) => {
        const body = msg.json<Record<string, unknown>>();
        asked.push({ type, body });
        msg.respond(JSON.stringify(reply(body)));
      },
    });
  return [
    answer('policy.put', (b) => {
      const v = validateRecordingPolicy(b.document);
      return v.ok
        ? { v: 1, ok: true, version: 7, changedRuleIds: v.document.rules.map((r) => r.id) }
        : { v: 1, ok: false, errors: v.errors };
    }),
    answer('policy.get', () => ({
      v: 1,
      active: {
        info: { version: 7, createdBy: 'admin', createdAt: '2026-01-01T00:00:00.000Z' },
        document: { name: 'p', defaultAction: { action: 'do-not-record' }, rules: [] },
      },
    })),
    answer('policy.list-versions', () => ({
      v: 1,
      activeVersion: 7,
      versions: [{ version: 7, createdBy: 'admin', createdAt: '2026-01-01T00:00:00.000Z' }],
    })),
    answer('policy.test', () => ({
      v: 1,
      ok: true,
      result: { v: 1, decision: 'record', ruleId: 'admins', policyVersion: 7 },
      recorded: true,
      explanation: 'recorded: rule "admins" is the first rule that matches',
    })),
  ];
}

const policy = {
  name: 'p',
  defaultAction: { action: 'do-not-record' },
  rules: [{ id: 'admins', match: { groups: ['admins'] }, action: 'record' }],
};

describe('api recording policy routes (real NATS and PostgreSQL)', () => {
  let harness: ApiHarness;
  let subs: Subscription[];
  const asked: { type: string; body: unknown }[] = [];
  let admin: string;
  let helpdesk: string;

  beforeAll(async () => {
    harness = await startApi('api-policies');
    subs = servePolicyFixture(harness, asked);
    admin = await adminToken(harness);
    await harness.pg.query(
      `INSERT INTO "${harness.schema}".users (id, username, password_hash, roles)
       VALUES ($1, 'helper', $2, '{helpdesk}')`,
      [randomUUID(), await hashPassword('helper password 1')],
    );
    const res = await login(harness, 'helper', 'helper password 1');
    helpdesk = ((await res.json()) as { token: string }).token;
  });

  afterAll(async () => {
    for (const s of subs) s.unsubscribe();
    await harness.cleanup();
  });

  function put(token: string | undefined, body: unknown): Promise<Response> {
    return fetch(`${harness.url}/api/v1/policies/recording`, {
      method: 'PUT',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
  }

  it('refuses requests without a token (401) and writes without the role (403)', async () => {
    expect((await get(harness, '/api/v1/policies/recording')).status).toBe(401);
    expect((await put(undefined, policy)).status).toBe(401);
    const res = await put(helpdesk, policy);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    expect(asked.filter((a) => a.type === 'policy.put')).toEqual([]);
  });

  it('publishes a version as the signed-in admin', async () => {
    const res = await put(admin, policy);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ version: 7, changedRuleIds: ['admins'] });
    expect(asked.at(-1)).toEqual({
      type: 'policy.put',
      body: { v: 1, document: policy, actor: { id: expect.any(String) as unknown, name: 'admin' } },
    });
  });

  it('answers 400 invalid_policy naming the field', async () => {
    const bad = {
      ...policy,
      rules: [
        {
          id: 'a',
          match: {
            timeWindows: [{ days: ['mon'], from: '09:00', to: '10:00', timeZone: 'Mars/Base' }],
          },
          action: 'record',
        },
      ],
    };
    const res = await put(admin, bad);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: {
        code: 'invalid_policy',
        message: 'rules[0].match.timeWindows[0].timeZone: unknown time zone "Mars/Base"',
        fields: [
          {
            path: 'rules[0].match.timeWindows[0].timeZone',
            message: 'unknown time zone "Mars/Base"',
          },
        ],
      },
    });
  });

  it('reads the active policy and its versions', async () => {
    const active = await get(harness, '/api/v1/policies/recording', admin);
    expect(active.status).toBe(200);
    expect(await active.json()).toMatchObject({ version: 7, createdBy: 'admin' });
    const versions = await get(harness, '/api/v1/policies/recording/versions', helpdesk);
    expect(await versions.json()).toMatchObject({ activeVersion: 7, versions: [{ version: 7 }] });
  });

  it('tests a sample session and validates it', async () => {
    const sample = {
      v: 1,
      sessionId: randomUUID(),
      agentId: randomUUID(),
      user: 'alice',
      groups: ['admins'],
      host: 'db-01',
      protocol: 'terminal',
      at: '2026-01-05T10:00:00Z',
    };
    const ok = await fetch(`${harness.url}/api/v1/policies/recording/test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify(sample),
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ recorded: true, ruleId: 'admins', policyVersion: 7 });
    const bad = await fetch(`${harness.url}/api/v1/policies/recording/test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ ...sample, user: 5 }),
    });
    expect(bad.status).toBe(400);
  });

  it('sends start and stop recording commands to the session agent, audited', async () => {
    const sessionId = randomUUID();
    const agentId = randomUUID();
    harness.catalog.sessions.set(sessionId, {
      sessionId,
      agentId,
      user: 'alice',
      groups: [],
      host: 'db-01',
      protocol: 'desktop',
      startedAt: new Date().toISOString(),
      recordings: [],
      counts: { events: 0, segments: 0, bytes: 0 },
    });
    const send = (token: string | undefined, body: unknown, id = sessionId) =>
      fetch(`${harness.url}/api/v1/sessions/${id}/recording`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
    expect((await send(undefined, { action: 'start' })).status).toBe(401);
    expect((await send(helpdesk, { action: 'start' })).status).toBe(403);
    expect((await send(admin, { action: 'pause' })).status).toBe(400);
    expect((await send(admin, { action: 'start' }, randomUUID())).status).toBe(404);

    const started = await send(admin, { action: 'start', reason: 'ticket 42' });
    expect(started.status).toBe(202);
    const { commandId } = (await started.json()) as { commandId: string };
    const stopped = await send(admin, { action: 'stop' });
    expect(stopped.status).toBe(202);

    const commands = (await readStream(harness.nc, harness.name, 'CONTROL'))
      .filter((m) => m.header?.get(HEADERS.messageType) === 'control.command')
      .map((m) => ({ subject: m.subject, body: m.json<Record<string, unknown>>() }));
    expect(commands).toEqual([
      {
        subject: fullSubject(harness.name, `control.agent.${agentId}`),
        body: expect.objectContaining({
          commandId,
          agentId,
          sessionId,
          action: 'start-recording',
          issuedBy: 'admin',
          params: { reason: 'ticket 42' },
        }) as unknown,
      },
      {
        subject: fullSubject(harness.name, `control.agent.${agentId}`),
        body: expect.objectContaining({ action: 'stop-recording', issuedBy: 'admin' }) as unknown,
      },
    ]);
    const audit = (await readStream(harness.nc, harness.name, 'AUDIT'))
      .map((m) => m.json<{ action: string; actor: { name?: string }; target: { id: string } }>())
      .filter((a) => a.target.id === sessionId);
    expect(audit.map((a) => [a.action, a.actor.name])).toEqual([
      ['recording.start', 'admin'],
      ['recording.stop', 'admin'],
    ]);
  });
});
