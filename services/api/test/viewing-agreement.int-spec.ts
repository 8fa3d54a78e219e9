/**
 * The viewing test agrees with enforcement, end to end: sessions streamed in by the agent
 * simulator through the real ingest and indexer, a viewing policy published through the
 * api to the real policy service, then for every session the test route's answer for a
 * helpdesk person equals whether that person actually finds it (search, enforced by the
 * indexer's SQL) and may open it (session page).
 */
import { randomUUID } from 'node:crypto';
import { waitFor } from '@sessionrec/testing';
import { argon2id, hash } from 'argon2';
import { adminToken, type ApiHarness, get, login, startApi } from './api-harness';
import { type Pipeline, startPipeline } from './pipeline';

interface Row {
  sessionId: string;
  user: string | null;
  groups: string[];
  host: string | null;
}

const PASSWORD = 'agreement password 1';

describe('viewing test agrees with enforcement (real policy service, ingest and indexer)', () => {
  let harness: ApiHarness;
  let pipeline: Pipeline;
  let admin: string;
  let hal: string;
  let rows: Row[] = [];

  async function sessionsSeenBy(token: string): Promise<Row[]> {
    const res = await get(harness, '/api/v1/sessions?limit=100', token);
    expect(res.status).toBe(200);
    return ((await res.json()) as { sessions: Row[] }).sessions;
  }

  beforeAll(async () => {
    harness = await startApi('api-viewing-agree', { catalog: false });
    pipeline = await startPipeline(harness.name, harness.bucket);
    admin = await adminToken(harness);
    await harness.pg.query(
      `INSERT INTO "${harness.schema}".users (id, username, password_hash, roles, groups)
       VALUES ($1, 'hal', $2, '{helpdesk}', '{support-eu}')`,
      [randomUUID(), await hash(PASSWORD, { type: argon2id })],
    );
    hal = ((await (await login(harness, 'hal', PASSWORD)).json()) as { token: string }).token;
    await pipeline.simulate('terminal', 6, 10);
    await waitFor(
      async () => {
        rows = (await sessionsSeenBy(admin)).filter((r) => r.user !== null && r.host !== null);
        return rows.length === 6;
      },
      60_000,
      'six sessions catalogued with their user and host',
    );
  });

  afterAll(async () => {
    await pipeline?.stop();
    await harness?.cleanup();
  });

  it('allows exactly the sessions the helpdesk person finds and may open', async () => {
    const first = rows[0]!;
    const users = [...new Set(rows.map((r) => r.user))];
    expect(users.length).toBeGreaterThan(1);
    // A group of some session other than the first's user: a second way in.
    const someGroup = rows
      .filter((r) => r.user !== first.user)
      .flatMap((r) => r.groups)
      .find((g) => g.length > 1);
    if (!someGroup) throw new Error('the simulated sessions have no groups');
    const published = await fetch(`${harness.url}/api/v1/policies/viewing`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({
        name: 'Agreement',
        rules: [
          { id: 'admins', viewers: { roles: ['admin'] }, recordings: {} },
          {
            id: 'by-user',
            viewers: { groups: ['support-*'] },
            recordings: { users: [first.user!.toUpperCase()], hosts: ['*'] },
          },
          {
            id: 'by-group',
            viewers: { roles: ['helpdesk'] },
            // One character a wildcard: the same glob as ILIKE's `_`.
            recordings: { groups: [`?${someGroup.slice(1)}`], users: ['*'] },
          },
          { id: 'auditors', viewers: { roles: ['auditor'] }, recordings: {} },
        ],
      }),
    });
    expect(published.status).toBe(200);
    const viewer = { user: 'hal', roles: ['helpdesk'], groups: ['support-eu'] };
    let visible = new Set<string>();
    await waitFor(
      async () => {
        visible = new Set((await sessionsSeenBy(hal)).map((r) => r.sessionId));
        return visible.size > 0;
      },
      10_000,
      'the published viewing policy to reach enforcement',
    );
    const allowed: string[] = [];
    for (const row of rows) {
      const res = await fetch(`${harness.url}/api/v1/policies/viewing/test`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
        body: JSON.stringify({
          viewer,
          session: { user: row.user, groups: row.groups, host: row.host },
        }),
      });
      expect(res.status).toBe(200);
      const answer = (await res.json()) as { allowed: boolean; policyVersion: number };
      expect(answer.policyVersion).toBe(1);
      expect({ session: row, allowed: answer.allowed }).toEqual({
        session: row,
        allowed: visible.has(row.sessionId),
      });
      const opened = await get(harness, `/api/v1/sessions/${row.sessionId}`, hal);
      expect(opened.status).toBe(answer.allowed ? 200 : 404);
      if (answer.allowed) allowed.push(row.sessionId);
    }
    // Both answers occur: the first session allowed (by user), one with the group allowed
    // (by group), and some session denied.
    expect(allowed).toContain(first.sessionId);
    expect(allowed).toContain(rows.find((r) => r.groups.includes(someGroup))!.sessionId);
    expect(allowed.length).toBeLessThan(rows.length);
  });
});
