/**
 * Viewing policies enforced by the api: every read of sessions and recordings carries the
 * signed-in person's viewing scope to the catalogue (built-in policy: admins see all,
 * helpdesk nothing; a published policy grants by role, user or group), a change notice
 * takes effect at once, and when the viewing policy cannot be learnt reads fail closed.
 * The catalogue's own filtering by scope is tested against the real indexer
 * (services/indexer/test/viewing-scope.int-spec.ts).
 */
import { randomUUID } from 'node:crypto';
import { fullSubject, POLICY_CHANGED_SUBJECT, type ViewingScope } from '@sessionrec/contracts';
import { waitFor } from '@sessionrec/testing';
import { argon2id, hash } from 'argon2';
import { adminToken, type ApiHarness, get, login, startApi } from './api-harness';

const PASSWORD = 'helpdesk password 1234';

describe('viewing policies in the api (real NATS request/reply to fixture responders)', () => {
  let harness: ApiHarness;
  let admin: string;
  let helpdesk: string;
  let version = 0;
  const sessionId = randomUUID();
  const recordingId = randomUUID();

  async function createUser(username: string, roles: string[], groups: string[]) {
    const passwordHash = await hash(PASSWORD, { type: argon2id });
    await harness.pg.query(
      `INSERT INTO "${harness.schema}".users (id, username, password_hash, roles, groups)
       VALUES ($1, $2, $3, $4, $5)`,
      [randomUUID(), username, passwordHash, roles, groups],
    );
    const res = await login(harness, username, PASSWORD);
    expect(res.status).toBe(200);
    return ((await res.json()) as { token: string }).token;
  }

  /** Publishes a viewing policy the way the policy service does: stored, then announced. */
  function publish(document: unknown): void {
    version += 1;
    harness.catalog.viewingPolicy = { version, document };
    harness.nc.publish(
      fullSubject(harness.name, POLICY_CHANGED_SUBJECT),
      JSON.stringify({ v: 1, kind: 'viewing', version, changedAt: new Date().toISOString() }),
    );
  }

  /** The scope each catalogue question carried when `token` read sessions and a recording. */
  async function scopesSeen(token: string): Promise<(ViewingScope | undefined)[]> {
    harness.catalog.requests.length = 0;
    await get(harness, '/api/v1/sessions?user=alice', token);
    await get(harness, `/api/v1/sessions/${sessionId}`, token);
    await get(harness, `/api/v1/sessions/${sessionId}/events`, token);
    await get(harness, `/api/v1/sessions/${sessionId}/metrics`, token);
    await get(harness, `/api/v1/recordings/${recordingId}`, token);
    await get(harness, `/api/v1/recordings/${recordingId}/segments/1`, token);
    const types = harness.catalog.requests.map((r) => r.type);
    expect(types).toEqual([
      'catalog.search',
      'catalog.session',
      'catalog.events',
      'catalog.metrics',
      'catalog.recording',
      'catalog.recording',
    ]);
    return harness.catalog.requests.map((r) => (r.request as { scope?: ViewingScope }).scope);
  }

  beforeAll(async () => {
    harness = await startApi('api-viewing');
    admin = await adminToken(harness);
    helpdesk = await createUser('hal', ['helpdesk'], ['support-eu']);
  });

  afterAll(async () => {
    await harness.cleanup();
  });

  it('before any viewing policy: admins are unrestricted, helpdesk sees nothing', async () => {
    expect(await scopesSeen(admin)).toEqual(Array(6).fill(undefined));
    expect(await scopesSeen(helpdesk)).toEqual(Array(6).fill({ anyOf: [] }));
  });

  it('a published policy applies at once, granting by group and by role', async () => {
    publish({
      name: 'Support',
      rules: [
        {
          id: 'support-kiosks',
          viewers: { groups: ['support-*'] },
          recordings: { users: ['kiosk*'] },
        },
        { id: 'admins', viewers: { roles: ['admin'] }, recordings: {} },
      ],
    });
    await waitFor(
      async () => (await scopesSeen(helpdesk))[0]?.anyOf.length === 1,
      5_000,
      'the change notice to reach the api',
    );
    expect(await scopesSeen(helpdesk)).toEqual(Array(6).fill({ anyOf: [{ users: ['kiosk*'] }] }));
    expect(await scopesSeen(admin)).toEqual(Array(6).fill(undefined));
  });

  it('a policy that names nobody takes everything away, from admins too', async () => {
    publish({
      name: 'Auditors only',
      rules: [{ id: 'a', viewers: { roles: ['auditor'] }, recordings: {} }],
    });
    await waitFor(
      async () => (await scopesSeen(admin))[0] !== undefined,
      5_000,
      'the change notice to reach the api',
    );
    expect(await scopesSeen(admin)).toEqual(Array(6).fill({ anyOf: [] }));
  });

  it('fails closed: 503 when the viewing policy cannot be learnt', async () => {
    harness.catalog.viewingUnavailable = true;
    await harness.restartApi();
    const token = await adminToken(harness);
    harness.catalog.requests.length = 0;
    expect((await get(harness, '/api/v1/sessions', token)).status).toBe(503);
    const playlist = await get(harness, `/api/v1/recordings/${recordingId}/playlist.m3u8`, token);
    expect(playlist.status).toBe(503);
    // Nothing was asked of the catalogue without a scope.
    expect(harness.catalog.requests).toEqual([]);
    harness.catalog.viewingUnavailable = false;
  });
});
