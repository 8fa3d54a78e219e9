/**
 * Agents and enrolment tokens through the api, answered by the real ingest service
 * (spawned from its build on the suite's namespace and schema): roles, validation, a
 * token that enrols a real agent at ingest, the agent listed, revoked, and refused at
 * once; token creation and revocation audited without the token.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  freePort,
  readStream,
  type ServiceProcess,
  startServiceProcess,
  testDatabaseUrl,
  testNatsUrl,
} from '@sessionrec/testing';
import { argon2id, hash } from 'argon2';
import { adminToken, type ApiHarness, get, login, startApi } from './api-harness';

const ROOT = path.resolve(__dirname, '../../..');
const INGEST_MAIN = path.join(ROOT, 'services/ingest/dist/main.js');

describe('agents and enrolment tokens (api + real ingest, NATS and PostgreSQL)', () => {
  let harness: ApiHarness;
  let ingest: ServiceProcess;
  let ingestUrl: string;
  let work: string;
  let admin: string;
  let helpdesk: string;

  const post = (p: string, token: string | undefined, body: unknown) =>
    fetch(`${harness.url}${p}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    harness = await startApi('api-agents');
    admin = await adminToken(harness);
    await harness.pg.query(
      `INSERT INTO "${harness.schema}".users (id, username, password_hash, roles)
       VALUES ($1, 'hd', $2, '{helpdesk}')`,
      [randomUUID(), await hash('helpdesk password 1', { type: argon2id })],
    );
    helpdesk = (
      (await (await login(harness, 'hd', 'helpdesk password 1')).json()) as {
        token: string;
      }
    ).token;
    work = await mkdtemp(path.join(os.tmpdir(), 'api-agents-'));
    const port = await freePort();
    ingestUrl = `http://127.0.0.1:${port}`;
    ingest = await startServiceProcess(
      INGEST_MAIN,
      {
        NATS_URL: testNatsUrl(),
        NATS_NAMESPACE: harness.name,
        DATABASE_URL: testDatabaseUrl(),
        DATABASE_SCHEMA: `${harness.name}_ingest`,
        STORAGE_URL: `file://${path.join(work, 'store')}`,
        HOST: '127.0.0.1',
        INGEST_PORT: String(port),
        LOG_LEVEL: 'warn',
        METRICS_ENABLED: 'false',
      },
      `${ingestUrl}/health/ready`,
    );
  });

  afterAll(async () => {
    await ingest?.stop();
    await harness.cleanup();
    await rm(work, { recursive: true, force: true });
  });

  it('refuses people without the role, and anyone signed out', async () => {
    expect((await get(harness, '/api/v1/agents')).status).toBe(401);
    expect((await get(harness, '/api/v1/agents', helpdesk)).status).toBe(200);
    expect((await post('/api/v1/agents/enrol-tokens', helpdesk, {})).status).toBe(403);
    expect((await post(`/api/v1/agents/${randomUUID()}/revoke`, helpdesk, {})).status).toBe(403);
  });

  it('answers 400 for bad input and 404 for an unknown agent', async () => {
    expect((await post('/api/v1/agents/enrol-tokens', admin, { expiresInSeconds: 5 })).status).toBe(
      400,
    );
    expect((await post('/api/v1/agents/enrol-tokens', admin, { token: 'mine' })).status).toBe(400);
    expect((await post('/api/v1/agents/not-a-uuid/revoke', admin, {})).status).toBe(400);
    expect((await post(`/api/v1/agents/${randomUUID()}/revoke`, admin, {})).status).toBe(404);
  });

  it('creates a token that enrols a real agent, lists it, revokes it and ingest refuses it', async () => {
    const created = await post('/api/v1/agents/enrol-tokens', admin, {
      expiresInSeconds: 600,
      note: 'web-01',
    });
    expect(created.status).toBe(201);
    const { token, tokenId } = (await created.json()) as { token: string; tokenId: string };
    expect(token).toMatch(/^sre_/);

    const enrolled = await fetch(`${ingestUrl}/agent/v1/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, hostname: 'web-01', os: 'linux', agentVersion: '1.0.0' }),
    });
    expect(enrolled.status).toBe(201);
    const { agentId, credential } = (await enrolled.json()) as {
      agentId: string;
      credential: string;
    };
    const listed = (await (await get(harness, '/api/v1/agents', helpdesk)).json()) as {
      agents: { agentId: string; hostname: string; revokedAt?: string }[];
    };
    expect(listed.agents).toContainEqual(expect.objectContaining({ agentId, hostname: 'web-01' }));

    const question = {
      sessionId: randomUUID(),
      user: 'alice',
      host: 'web-01',
      protocol: 'terminal',
      at: new Date().toISOString(),
    };
    const ask = () =>
      fetch(`${ingestUrl}/agent/v1/policy/evaluate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
        body: JSON.stringify(question),
      });
    expect((await ask()).status).toBe(200);

    const revoked = await post(`/api/v1/agents/${agentId}/revoke`, admin, { reason: 'stolen' });
    expect(revoked.status).toBe(200);
    expect((await ask()).status).toBe(401);
    const after = (await (await get(harness, '/api/v1/agents', admin)).json()) as {
      agents: { agentId: string; revokedAt?: string; revokedBy?: string }[];
    };
    expect(after.agents.find((a) => a.agentId === agentId)).toMatchObject({ revokedBy: 'admin' });

    // Audited, and the token itself is nowhere in the audit trail.
    const audit = await readStream(harness.nc, harness.name, 'AUDIT');
    const records = audit.map((m) => m.json<{ action: string; target: { id: string } }>());
    expect(records).toContainEqual(
      expect.objectContaining({
        action: 'agent.enrol-token.create',
        target: expect.objectContaining({ id: tokenId }) as unknown,
      }),
    );
    expect(records).toContainEqual(
      expect.objectContaining({
        action: 'agent.revoke',
        target: expect.objectContaining({ id: agentId }) as unknown,
      }),
    );
    expect(audit.some((m) => m.string().includes(token))).toBe(false);
  });
});
