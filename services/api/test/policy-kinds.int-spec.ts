/**
 * The detection, response-rule and viewing policy routes of the real api on real NATS
 * and PostgreSQL. A stand-in policy service on the suite's namespace answers the policy.*
 * questions (one runService per process; the real service is tested in
 * services/policy/test): it validates with the shared validators, keeps versions in
 * memory and records what the api asked.
 */
import { randomUUID } from 'node:crypto';
import type { Subscription } from '@nats-io/nats-core';
import {
  fullSubject,
  REQUESTS,
  type RequestType,
  validateDetectionPolicy,
  validateResponseRules,
  validateViewingPolicy,
} from '@sessionrec/contracts';
import { hashPassword } from '../src/auth/secrets';
import { adminToken, type ApiHarness, get, login, startApi } from './api-harness';

type Kind = 'detection' | 'responses' | 'viewing';

const VALIDATORS = {
  detection: validateDetectionPolicy,
  responses: validateResponseRules,
  viewing: validateViewingPolicy,
} as const;

interface Asked {
  type: string;
  body: Record<string, unknown>;
}

function serveFixture(h: ApiHarness, asked: Asked[]): Subscription[] {
  const stored: Record<Kind, { version: number; document: unknown }[]> = {
    detection: [],
    responses: [],
    viewing: [],
  };
  const info = (version: number) => ({
    version,
    createdBy: 'admin',
    createdAt: '2026-01-01T00:00:00.000Z',
  });
  const answer = (type: RequestType, reply: (body: Record<string, unknown>) => unknown) =>
    h.nc.subscribe(fullSubject(h.name, REQUESTS[type].subject), {
      callback: (_err, msg) => {
        const body = msg.json<Record<string, unknown>>();
        asked.push({ type, body });
        msg.respond(JSON.stringify(reply(body)));
      },
    });
  const subs: Subscription[] = [];
  for (const kind of ['detection', 'responses', 'viewing'] as const) {
    subs.push(
      answer(`policy.${kind}.put`, (b) => {
        const v = VALIDATORS[kind](b.document);
        if (!v.ok) return { v: 1, ok: false, errors: v.errors };
        const version = stored[kind].length + 1;
        stored[kind].push({ version, document: v.document });
        return { v: 1, ok: true, version, changedRuleIds: v.document.rules.map((r) => r.id) };
      }),
      answer(`policy.${kind}.get`, () => {
        const last = stored[kind].at(-1);
        return {
          v: 1,
          active: last ? { info: info(last.version), document: last.document } : null,
        };
      }),
      answer(`policy.${kind}.list-versions`, () => ({
        v: 1,
        activeVersion: stored[kind].at(-1)?.version ?? null,
        versions: stored[kind].map((s) => info(s.version)).reverse(),
      })),
    );
  }
  subs.push(
    answer('policy.detection.test', (b) => ({
      v: 1,
      ok: true,
      result: {
        v: 1,
        policyVersion: 1,
        ruleId: 'default',
        events: ['session.start'],
        options: {
          removableMountPoints: [],
          networkMountPoints: [],
          idleThresholdSeconds: 300,
          captureCommandLines: true,
          captureWindowTitles: true,
        },
      },
      explanation: `tested for ${String((b.subject as { user: string }).user)}`,
    })),
    answer('policy.responses.test', (b) =>
      b.document !== undefined && !validateResponseRules(b.document).ok
        ? { v: 1, ok: false, errors: [{ path: 'rules', message: 'bad draft' }] }
        : {
            v: 1,
            ok: true,
            rulesVersion: 1,
            matches: [
              {
                ruleId: 'usb',
                actions: ['lock'],
                count: 1,
                per: 'session',
                throttleSeconds: 60,
              },
            ],
            explanation: 'rule "usb" fires (lock)',
          },
    ),
  );
  return subs;
}

const documents: Record<Kind, unknown> = {
  detection: { name: 'd', defaults: { events: ['usb.insert'] }, rules: [] },
  responses: {
    name: 'r',
    rules: [
      {
        id: 'usb',
        match: { events: [{ eventType: 'usb.insert' }] },
        actions: [{ action: 'lock' }],
      },
    ],
  },
  viewing: {
    name: 'v',
    rules: [{ id: 'help', viewers: { roles: ['helpdesk'] }, recordings: { groups: ['staff'] } }],
  },
};

const invalid: Record<Kind, [unknown, string]> = {
  detection: [
    {
      name: 'd',
      defaults: { events: ['usb.insert'], options: { idleThresholdSeconds: 1 } },
      rules: [],
    },
    'defaults.options.idleThresholdSeconds',
  ],
  responses: [
    {
      name: 'r',
      rules: [
        {
          id: 'usb',
          match: { events: [{ eventType: 'usb.insert' }] },
          actions: [{ action: 'notify', channel: 'email' }],
        },
      ],
    },
    'rules[0].actions[0].recipients',
  ],
  viewing: [
    { name: 'v', rules: [{ id: 'x', viewers: { roles: ['janitor'] }, recordings: {} }] },
    'rules[0].viewers.roles[0]',
  ],
};

describe('api detection, response and viewing policy routes (real NATS and PostgreSQL)', () => {
  let harness: ApiHarness;
  let subs: Subscription[];
  const asked: Asked[] = [];
  let admin: string;
  let helpdesk: string;

  beforeAll(async () => {
    // This suite's stand-in answers policy.viewing.get itself.
    harness = await startApi('api-policy-kinds', { viewingPolicy: false });
    subs = serveFixture(harness, asked);
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

  function send(
    method: 'PUT' | 'POST',
    path: string,
    token: string | undefined,
    body: unknown,
  ): Promise<Response> {
    return fetch(`${harness.url}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
  }

  describe.each(['detection', 'responses', 'viewing'] as const)('/api/v1/policies/%s', (kind) => {
    const path = `/api/v1/policies/${kind}`;

    it('needs a token (401) and the policy-admin or admin role to write (403)', async () => {
      expect((await get(harness, path)).status).toBe(401);
      expect((await get(harness, `${path}/versions`)).status).toBe(401);
      expect((await send('PUT', path, undefined, documents[kind])).status).toBe(401);
      const res = await send('PUT', path, helpdesk, documents[kind]);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden');
      expect(asked.filter((a) => a.type === `policy.${kind}.put`)).toEqual([]);
    });

    it('answers 404 before the first version', async () => {
      const res = await get(harness, path, admin);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    });

    it('answers 400 invalid_policy naming the field', async () => {
      const [document, field] = invalid[kind];
      const res = await send('PUT', path, admin, document);
      expect(res.status).toBe(400);
      const body = (await res.json()) as {
        error: { code: string; message: string; fields: { path: string }[] };
      };
      expect(body.error.code).toBe('invalid_policy');
      expect(body.error.message.startsWith(`${field}: `)).toBe(true);
      expect(body.error.fields.map((f) => f.path)).toContain(field);
    });

    it('publishes a version as the signed-in admin and reads it back', async () => {
      const res = await send('PUT', path, admin, documents[kind]);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ version: 1 });
      expect(asked.filter((a) => a.type === `policy.${kind}.put`).at(-1)?.body).toEqual({
        v: 1,
        document: documents[kind],
        actor: { id: expect.any(String) as unknown, name: 'admin' },
      });
      const active = await get(harness, path, helpdesk);
      expect(active.status).toBe(200);
      expect(await active.json()).toMatchObject({
        version: 1,
        createdBy: 'admin',
        document: documents[kind] as Record<string, unknown>,
      });
      const versions = await get(harness, `${path}/versions`, admin);
      expect(await versions.json()).toEqual({
        activeVersion: 1,
        versions: [expect.objectContaining({ version: 1 }) as unknown],
      });
    });
  });

  it('tests a detection sample and validates it', async () => {
    const path = '/api/v1/policies/detection/test';
    const ok = await send('POST', path, admin, { user: 'alice', groups: ['dba'], host: 'db-01' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ruleId: 'default', explanation: 'tested for alice' });
    const bad = await send('POST', path, admin, { user: 'alice', host: 7 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(
      /^body\.host: /,
    );
    expect((await send('POST', path, undefined, { user: 'a', host: 'b' })).status).toBe(401);
  });

  it('tests a response sample and a draft, and validates the sample', async () => {
    const path = '/api/v1/policies/responses/test';
    const event = { type: 'usb.insert', at: '2026-01-05T10:00:00Z', attributes: { vendor: 'x' } };
    const ok = await send('POST', path, admin, { event });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({
      rulesVersion: 1,
      matches: [
        { ruleId: 'usb', actions: ['lock'], count: 1, per: 'session', throttleSeconds: 60 },
      ],
      explanation: 'rule "usb" fires (lock)',
    });
    const draft = await send('POST', path, admin, { event, document: { name: 'x', rules: 5 } });
    expect(draft.status).toBe(400);
    expect(((await draft.json()) as { error: { code: string } }).error.code).toBe('invalid_policy');
    const bad = await send('POST', path, admin, { event: { ...event, type: 'usb.melt' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(
      /^body\.event\.type: /,
    );
  });

  it('lists the new routes in the OpenAPI document', async () => {
    const res = await get(harness, '/api/docs/json');
    const doc = (await res.json()) as { paths: Record<string, unknown> };
    for (const p of [
      '/api/v1/policies/detection',
      '/api/v1/policies/detection/versions',
      '/api/v1/policies/detection/test',
      '/api/v1/policies/responses',
      '/api/v1/policies/responses/versions',
      '/api/v1/policies/responses/test',
      '/api/v1/policies/viewing',
      '/api/v1/policies/viewing/versions',
    ]) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
  });
});
