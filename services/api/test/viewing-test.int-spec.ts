/**
 * `POST /api/v1/policies/viewing/test` on the real api over real NATS and PostgreSQL: may
 * a sample viewer watch recordings of a sample session, under the built-in viewing
 * policy, the published one (answered by the catalogue fixture's `policy.viewing.get`, as
 * the policy service would) or a draft; and the answer agrees with the viewing scope the
 * api sends the catalogue when that viewer reads sessions.
 */
import { randomUUID } from 'node:crypto';
import { inViewingScope, type ViewingScope } from '@sessionrec/contracts';
import { argon2id, hash } from 'argon2';
import { adminToken, type ApiHarness, get, login, startApi } from './api-harness';

const PASSWORD = 'viewing test password 1';
const PATH = '/api/v1/policies/viewing/test';

const FIN_SAMPLE = { user: 'fred', groups: ['finance'], host: 'FIN-07', applications: ['sap'] };
const OPS_SAMPLE = { user: 'olga', groups: ['ops'], host: 'web-01' };
const SUPPORT_VIEWER = { user: 'pat', roles: ['helpdesk'], groups: ['support-eu'] };

const PUBLISHED = {
  name: 'Finance support',
  rules: [
    { id: 'admins', viewers: { roles: ['admin'] }, recordings: { users: ['nobody'] } },
    { id: 'fin-support', viewers: { groups: ['support-*'] }, recordings: { hosts: ['fin-*'] } },
  ],
};

interface Answer {
  allowed: boolean;
  ruleId?: string;
  policyVersion: number | null;
  explanation: string;
}

interface JsonSchema {
  required?: string[];
  properties?: Record<string, unknown>;
}

interface OpenApiPost {
  summary?: string;
  requestBody?: { content: Record<string, { schema?: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
}

interface ErrorBody {
  error: { code: string; message: string; fields?: { path: string; message: string }[] };
}

describe('viewing policy test route (real api, NATS and PostgreSQL)', () => {
  let harness: ApiHarness;
  let admin: string;
  let policyAdmin: string;
  let helpdesk: string;

  async function createUser(username: string, roles: string[], groups: string[]) {
    await harness.pg.query(
      `INSERT INTO "${harness.schema}".users (id, username, password_hash, roles, groups)
       VALUES ($1, $2, $3, $4, $5)`,
      [randomUUID(), username, await hash(PASSWORD, { type: argon2id }), roles, groups],
    );
    const res = await login(harness, username, PASSWORD);
    expect(res.status).toBe(200);
    return ((await res.json()) as { token: string }).token;
  }

  function test(token: string | undefined, body: unknown): Promise<Response> {
    return fetch(`${harness.url}${PATH}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
  }

  async function answer(body: unknown, token = policyAdmin): Promise<Answer> {
    const res = await test(token, body);
    expect(res.status).toBe(200);
    return (await res.json()) as Answer;
  }

  beforeAll(async () => {
    harness = await startApi('api-viewing-test');
    admin = await adminToken(harness);
    policyAdmin = await createUser('polly', ['policy-admin'], []);
    helpdesk = await createUser('pat', ['helpdesk'], ['support-eu']);
  });

  afterAll(async () => {
    await harness.cleanup();
  });

  it('before any viewing policy: admin, investigator and auditor allowed; helpdesk denied', async () => {
    for (const role of ['admin', 'investigator', 'auditor']) {
      expect(await answer({ viewer: { roles: [role], groups: [] }, session: OPS_SAMPLE })).toEqual({
        allowed: true,
        ruleId: 'built-in-viewers',
        policyVersion: 0,
        explanation:
          'no viewing policy is published, so the built-in one applies: allowed: rule "built-in-viewers" names this viewer and covers every session',
      });
    }
    for (const role of ['helpdesk', 'policy-admin']) {
      const denied = await answer({ viewer: { roles: [role] }, session: OPS_SAMPLE }, admin);
      expect(denied).toMatchObject({ allowed: false, policyVersion: 0 });
      expect(denied.ruleId).toBeUndefined();
      expect(denied.explanation).toContain('no rule names this viewer');
    }
  });

  it('a published policy: a group of viewers may watch a host pattern, nothing else', async () => {
    harness.catalog.viewingPolicy = { version: 3, document: PUBLISHED };
    expect(await answer({ viewer: SUPPORT_VIEWER, session: FIN_SAMPLE })).toEqual({
      allowed: true,
      ruleId: 'fin-support',
      policyVersion: 3,
      explanation: 'allowed: rule "fin-support" names this viewer and covers this session',
    });
    const elsewhere = await answer({ viewer: SUPPORT_VIEWER, session: OPS_SAMPLE });
    expect(elsewhere).toEqual({
      allowed: false,
      policyVersion: 3,
      explanation:
        'denied: the rules naming this viewer do not cover this session (rule "fin-support": hosts do not match)',
    });
    // The built-in grant is gone: the published policy gives admins only user "nobody".
    expect(
      await answer({ viewer: { user: 'admin', roles: ['admin'] }, session: FIN_SAMPLE }),
    ).toMatchObject({ allowed: false, policyVersion: 3 });
  });

  it('agrees with the scope the api enforces when that viewer reads sessions', async () => {
    harness.catalog.viewingPolicy = { version: 3, document: PUBLISHED };
    await answer({ viewer: SUPPORT_VIEWER, session: FIN_SAMPLE }); // the api now holds v3
    harness.catalog.requests.length = 0;
    expect((await get(harness, '/api/v1/sessions', helpdesk)).status).toBe(200);
    const scope = (harness.catalog.requests[0]?.request as { scope?: ViewingScope }).scope;
    expect(scope).toEqual({ anyOf: [{ hosts: ['fin-*'] }] });
    for (const session of [FIN_SAMPLE, OPS_SAMPLE]) {
      const tested = await answer({ viewer: SUPPORT_VIEWER, session });
      expect(tested.allowed).toBe(inViewingScope(scope, session));
    }
  });

  it('tests a draft instead of the active policy, without publishing it', async () => {
    harness.catalog.viewingPolicy = { version: 3, document: PUBLISHED };
    const draft = {
      name: 'Draft',
      rules: [
        {
          id: 'ops-watch',
          viewers: { users: ['p?t'] },
          recordings: { groups: ['OPS'], applications: ['*'] },
        },
      ],
    };
    // Under the draft: pat may watch ops sessions in which an application was used...
    expect(
      await answer({
        viewer: SUPPORT_VIEWER,
        session: { ...OPS_SAMPLE, applications: ['bash'] },
        document: draft,
      }),
    ).toEqual({
      allowed: true,
      ruleId: 'ops-watch',
      policyVersion: null,
      explanation: 'allowed: rule "ops-watch" names this viewer and covers this session',
    });
    // ...but not the finance host the active policy grants, nor a session without apps.
    expect(
      await answer({ viewer: SUPPORT_VIEWER, session: FIN_SAMPLE, document: draft }),
    ).toMatchObject({ allowed: false, policyVersion: null });
    expect(
      await answer({ viewer: SUPPORT_VIEWER, session: OPS_SAMPLE, document: draft }),
    ).toMatchObject({ allowed: false });
    // The active one is unchanged.
    expect(await answer({ viewer: SUPPORT_VIEWER, session: FIN_SAMPLE })).toMatchObject({
      allowed: true,
      policyVersion: 3,
    });
  });

  it('answers 400 invalid_policy naming each bad field of a draft', async () => {
    const res = await test(policyAdmin, {
      viewer: SUPPORT_VIEWER,
      session: FIN_SAMPLE,
      document: {
        name: 'Bad',
        rules: [
          { id: 'a', viewers: { roles: ['janitor'] }, recordings: {} },
          { id: 'b', viewers: { groups: ['x'] }, recordings: { hosts: ['db[1]'] } },
        ],
      },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe('invalid_policy');
    expect(body.error.message).toMatch(/^rules\[0\]\.viewers\.roles\[0\]: /);
    expect(body.error.fields?.map((f) => f.path)).toEqual(
      expect.arrayContaining(['rules[0].viewers.roles[0]', 'rules[1].recordings.hosts[0]']),
    );
  });

  it('answers 400 naming a bad field of the sample', async () => {
    const cases: [unknown, RegExp][] = [
      [{ viewer: { roles: ['root'] }, session: FIN_SAMPLE }, /^body\.viewer\.roles\.0: /],
      [{ viewer: SUPPORT_VIEWER, session: { user: 'x' } }, /^body\.session\.host: /],
      [
        { viewer: SUPPORT_VIEWER, session: { ...FIN_SAMPLE, applications: 'sap' } },
        /^body\.session\.applications: /,
      ],
      [{ viewer: { ...SUPPORT_VIEWER, admin: true }, session: FIN_SAMPLE }, /^body\.viewer: /],
      [{ session: FIN_SAMPLE }, /^body\.viewer: /],
    ];
    for (const [body, message] of cases) {
      const res = await test(policyAdmin, body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorBody).error.message).toMatch(message);
    }
  });

  it('needs a token (401) and the policy-admin or admin role (403 for helpdesk)', async () => {
    const sample = { viewer: SUPPORT_VIEWER, session: FIN_SAMPLE };
    expect((await test(undefined, sample)).status).toBe(401);
    const res = await test(helpdesk, sample);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: {
        code: 'forbidden',
        message: 'testing viewing policies needs the policy-admin or admin role',
      },
    });
    expect((await test(admin, sample)).status).toBe(200);
  });

  it('is listed in the OpenAPI document', async () => {
    const doc = (await (await get(harness, '/api/docs/json')).json()) as {
      paths: Record<string, { post?: OpenApiPost }>;
    };
    const post = doc.paths[PATH]?.post;
    expect(post?.summary).toMatch(/^May this viewer watch/);
    const body = post?.requestBody?.content['application/json']?.schema;
    expect(body?.required).toEqual(['viewer', 'session']);
    expect(Object.keys(body?.properties ?? {})).toEqual(['viewer', 'session', 'document']);
    const answer = post?.responses['200']?.content?.['application/json']?.schema;
    expect(answer?.required).toEqual(['allowed', 'policyVersion', 'explanation']);
  });
});
