import { randomUUID } from 'node:crypto';
import { HEADERS } from '@sessionrec/contracts';
import { readStream } from '@sessionrec/testing';
import { hashPassword } from '../src/auth/secrets';
import { ADMIN_PASSWORD, adminToken, type ApiHarness, get, login, startApi } from './api-harness';

interface Route {
  method: string;
  path: string;
}

/** Every documented /api/v1 route, with its path parameters filled in. */
async function routeTable(harness: ApiHarness): Promise<Route[]> {
  const res = await get(harness, '/api/docs/json');
  expect(res.status).toBe(200);
  const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
  const routes: Route[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    const concrete = path.replace(/\{seq\}/g, '1').replace(/\{[A-Za-z]+\}/g, randomUUID());
    for (const method of Object.keys(operations)) routes.push({ method, path: concrete });
  }
  return routes;
}

function send(harness: ApiHarness, route: Route, headers: Record<string, string> = {}) {
  return fetch(`${harness.url}${route.path}`, {
    method: route.method.toUpperCase(),
    headers: { 'content-type': 'application/json', ...headers },
    ...(route.method === 'get' ? {} : { body: '{}' }),
  });
}

async function auditActions(harness: ApiHarness): Promise<{ action: string; details: unknown }[]> {
  const messages = await readStream(harness.nc, harness.name, 'AUDIT');
  return messages
    .filter((m) => m.header?.get(HEADERS.messageType) === 'audit')
    .map((m) => m.json<{ action: string; details: unknown }>());
}

describe('api sign-in (real PostgreSQL, NATS, S3)', () => {
  let harness: ApiHarness;

  beforeAll(async () => {
    harness = await startApi('api-auth', {
      apiEnv: {
        SESSIONREC_ADMIN_PASSWORD: ADMIN_PASSWORD,
        API_LOGIN_MAX_FAILURES: '3',
        API_LOGIN_WINDOW_SECONDS: '600',
      },
    });
  });

  afterAll(async () => {
    await harness.cleanup();
  });

  async function users(): Promise<{ username: string; roles: string[] }[]> {
    const { rows } = await harness.pg.query<{ username: string; roles: string[] }>(
      `SELECT username, roles FROM "${harness.schema}".users ORDER BY username`,
    );
    return rows;
  }

  it('creates the administrator from SESSIONREC_ADMIN_PASSWORD, hashed with argon2id', async () => {
    expect(await users()).toEqual([{ username: 'admin', roles: ['admin'] }]);
    const { rows } = await harness.pg.query<{ password_hash: string }>(
      `SELECT password_hash FROM "${harness.schema}".users`,
    );
    expect(rows[0]?.password_hash).toMatch(/^\$argon2id\$/);
    expect(rows[0]?.password_hash).not.toContain(ADMIN_PASSWORD);
  });

  it('signs in: a token, its expiry, the user, and an HttpOnly SameSite=Strict cookie', async () => {
    const res = await login(harness);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      token: string;
      expiresAt: string;
      user: { id: string; username: string; roles: string[] };
    };
    expect(body.token).toMatch(/^srt_[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now());
    const { id, ...user } = body.user;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(user).toEqual({ username: 'admin', roles: ['admin'] });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toContain(`sessionrec_session=${body.token}`);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/');
    expect(cookie).not.toContain('Secure');

    const { rows } = await harness.pg.query<{ token_hash: string; kind: string }>(
      `SELECT token_hash, kind FROM "${harness.schema}".api_tokens`,
    );
    expect(rows.some((r) => r.token_hash === body.token)).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash) && r.kind === 'session')).toBe(
      true,
    );

    const me = await get(harness, '/api/v1/auth/me', body.token);
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual(body.user);
    const byCookie = await get(harness, '/api/v1/auth/me', undefined, {
      cookie: `other=1; sessionrec_session=${body.token}`,
    });
    expect(byCookie.status).toBe(200);
  });

  it('sets the Secure flag when the request came over HTTPS', async () => {
    const res = await fetch(`${harness.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toContain('Secure');
  });

  it('refuses a wrong password or an unknown user with 401 and audits both', async () => {
    const wrong = await login(harness, 'admin', 'not the password');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({
      error: { code: 'unauthorized', message: 'invalid username or password' },
    });
    const unknown = await login(harness, 'nobody', ADMIN_PASSWORD);
    expect(unknown.status).toBe(401);
    const actions = await auditActions(harness);
    expect(actions.filter((a) => a.action === 'auth.login-failed').length).toBeGreaterThanOrEqual(
      2,
    );
    expect(actions.some((a) => a.action === 'auth.login')).toBe(true);
  });

  it('answers 400 naming the field for a malformed login body', async () => {
    const res = await fetch(`${harness.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin' }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('validation');
    expect(body.error.message).toMatch(/^body\.password:/);
  });

  it('answers 401 on every protected route without a token, with a forged, expired or revoked one', async () => {
    const routes = await routeTable(harness);
    const publicRoutes = routes.filter((r) => r.path === '/api/v1/auth/login');
    expect(publicRoutes).toEqual([{ method: 'post', path: '/api/v1/auth/login' }]);
    const protectedRoutes = routes.filter((r) => r.path !== '/api/v1/auth/login');
    expect(protectedRoutes.length).toBeGreaterThanOrEqual(11);

    const expired = await adminToken(harness);
    await harness.pg.query(
      `UPDATE "${harness.schema}".api_tokens SET expires_at = now() - interval '1 second'
        WHERE expires_at > now()`,
    );
    const revoked = await adminToken(harness);
    const logout = await fetch(`${harness.url}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${revoked}` },
    });
    expect(logout.status).toBe(204);
    expect(logout.headers.get('set-cookie')).toContain('Max-Age=0');
    const forged = `srt_${'A'.repeat(43)}`;

    const credentials: Record<string, Record<string, string>> = {
      none: {},
      forged: { authorization: `Bearer ${forged}` },
      malformed: { authorization: 'Bearer not-a-token' },
      basic: { authorization: 'Basic YWRtaW46eA==' },
      expired: { authorization: `Bearer ${expired}` },
      revoked: { authorization: `Bearer ${revoked}` },
      'forged cookie': { cookie: `sessionrec_session=${forged}` },
    };
    for (const route of protectedRoutes) {
      for (const [what, headers] of Object.entries(credentials)) {
        const res = await send(harness, route, headers);
        expect({ route, what, status: res.status }).toEqual({ route, what, status: 401 });
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
      }
    }
  });

  it('keeps health and the API document reachable without a token', async () => {
    expect((await get(harness, '/health/live')).status).toBe(200);
    expect((await get(harness, '/health/ready')).status).toBe(200);
    expect((await get(harness, '/api/docs')).status).toBe(200);
    expect((await get(harness, '/api/docs-json')).status).toBe(200);
  });

  it('refuses a disabled user, even with a token issued before', async () => {
    await harness.pg.query(
      `INSERT INTO "${harness.schema}".users (id, username, password_hash, roles)
       VALUES ($1, 'helper', $2, '{helpdesk}')`,
      [randomUUID(), await hashPassword('helper password 1')],
    );
    const res = await login(harness, 'helper', 'helper password 1');
    expect(res.status).toBe(200);
    const { token } = (await res.json()) as { token: string };
    expect((await get(harness, '/api/v1/auth/me', token)).status).toBe(200);
    await harness.pg.query(
      `UPDATE "${harness.schema}".users SET disabled_at = now() WHERE username = 'helper'`,
    );
    expect((await get(harness, '/api/v1/auth/me', token)).status).toBe(401);
    expect((await login(harness, 'helper', 'helper password 1')).status).toBe(401);
  });

  it('limits failed sign-ins per user name and address: then 429, even with the right password', async () => {
    await harness.pg.query(
      `INSERT INTO "${harness.schema}".users (id, username, password_hash, roles)
       VALUES ($1, 'guessed', $2, '{investigator}')`,
      [randomUUID(), await hashPassword('guessed password 1')],
    );
    for (let i = 0; i < 3; i++) {
      expect((await login(harness, 'guessed', `wrong ${i}`)).status).toBe(401);
    }
    const limited = await login(harness, 'guessed', 'guessed password 1');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe(
      'too_many_requests',
    );
    // Another user name from the same address is not affected.
    expect((await login(harness)).status).toBe(200);
  });

  it('keeps exactly one administrator across restarts, with its first password', async () => {
    await harness.restartApi({ SESSIONREC_ADMIN_PASSWORD: 'a different password 2' });
    const admins = (await users()).filter((u) => u.username === 'admin');
    expect(admins).toHaveLength(1);
    expect((await login(harness)).status).toBe(200);
    expect((await login(harness, 'admin', 'a different password 2')).status).toBe(401);
  });
});

describe('api first start without SESSIONREC_ADMIN_PASSWORD', () => {
  let harness: ApiHarness | undefined;
  const written: string[] = [];
  let spy: jest.SpyInstance;

  beforeAll(() => {
    // Captured, not echoed: the banner would otherwise land in the test output.
    spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      written.push(String(chunk));
      return true;
    });
  });

  afterAll(async () => {
    spy.mockRestore();
    await harness?.cleanup();
  });

  function banners(): string[] {
    return written.filter((text) => text.includes('the administrator account was created'));
  }

  it('prints a generated password once, in a banner, and it signs in', async () => {
    harness = await startApi('api-auth-generated', { catalog: false, apiEnv: {} });
    expect(banners()).toHaveLength(1);
    const password = /password: +(\S+)/.exec(banners()[0] ?? '')?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect((await login(harness, 'admin', password)).status).toBe(200);

    await harness.restartApi({});
    expect(banners()).toHaveLength(1);
    const { rows } = await harness.pg.query(
      `SELECT count(*)::int AS n FROM "${harness.schema}".users WHERE username = 'admin'`,
    );
    expect(rows).toEqual([{ n: 1 }]);
    expect((await login(harness, 'admin', password)).status).toBe(200);
  });
});
