/**
 * Actions on running sessions against the real api, PostgreSQL and NATS (the catalogue is
 * the fixture responder): roles, validation, the control.command sent to the agent, audit.
 */
import { randomUUID } from 'node:crypto';
import { fullSubject, HEADERS } from '@sessionrec/contracts';
import { Messaging } from '@sessionrec/messaging';
import { readStream, waitFor } from '@sessionrec/testing';
import { hashPassword } from '../auth/secrets';
import { adminToken, type ApiHarness, login, startApi } from '../../test/api-harness';

describe('session actions (real api, NATS, PostgreSQL)', () => {
  let harness: ApiHarness;
  let admin: string;
  let auditor: string;
  const sessionId = randomUUID();
  const endedId = randomUUID();
  const agentId = randomUUID();

  function act(token: string | undefined, body: unknown, id: string = sessionId) {
    return fetch(`${harness.url}/api/v1/sessions/${id}/actions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
  }

  beforeAll(async () => {
    harness = await startApi('api-session-actions');
    admin = await adminToken(harness);
    await harness.pg.query(
      `INSERT INTO "${harness.schema}".users (id, username, password_hash, roles)
       VALUES ($1, 'watcher', $2, '{auditor}')`,
      [randomUUID(), await hashPassword('watcher password 1')],
    );
    auditor = (
      (await (await login(harness, 'watcher', 'watcher password 1')).json()) as {
        token: string;
      }
    ).token;
    const base = {
      agentId,
      user: 'alice',
      groups: [],
      host: 'ws-01',
      protocol: 'desktop' as const,
      startedAt: new Date().toISOString(),
      recordings: [],
      counts: { events: 0, segments: 0, bytes: 0 },
    };
    harness.catalog.sessions.set(sessionId, { ...base, sessionId });
    harness.catalog.sessions.set(endedId, {
      ...base,
      sessionId: endedId,
      endedAt: new Date().toISOString(),
    });
  }, 120_000);

  afterAll(async () => {
    await harness?.cleanup();
  });

  it('refuses strangers, roles that may not act, bad bodies, unknown and ended sessions', async () => {
    expect((await act(undefined, { action: 'lock' })).status).toBe(401);
    expect((await act(auditor, { action: 'lock' })).status).toBe(403);
    const bad = await act(admin, { action: 'notify' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(
      /^body\.message:/,
    );
    expect((await act(admin, { action: 'reboot' })).status).toBe(400);
    expect((await act(admin, { action: 'notify', message: 'a\u001b]0;pwned\u0007' })).status).toBe(
      400,
    );
    expect((await act(admin, { action: 'lock' }, randomUUID())).status).toBe(404);
    expect((await act(admin, { action: 'lock' }, endedId)).status).toBe(409);
    expect((await act(admin, { action: 'lock' }, 'not-a-uuid')).status).toBe(400);
  });

  it('sends each action to the session agent and audits it', async () => {
    const ids: string[] = [];
    for (const body of [
      { action: 'lock', message: 'Locked for review' },
      { action: 'notify', message: 'Please save your work' },
      { action: 'disconnect' },
      { action: 'logoff' },
    ]) {
      const res = await act(admin, body);
      expect(res.status).toBe(202);
      ids.push(((await res.json()) as { commandId: string }).commandId);
    }
    const commands = (await readStream(harness.nc, harness.name, 'CONTROL'))
      .filter((m) => m.header?.get(HEADERS.messageType) === 'control.command')
      .map((m) => ({ subject: m.subject, body: m.json<Record<string, unknown>>() }));
    expect(commands.map((c) => c.subject)).toEqual(
      ids.map(() => fullSubject(harness.name, `control.agent.${agentId}`)),
    );
    expect(commands.map((c) => [c.body.commandId, c.body.action, c.body.params])).toEqual([
      [ids[0], 'lock', { message: 'Locked for review' }],
      [ids[1], 'notice', { message: 'Please save your work' }],
      [ids[2], 'disconnect', {}],
      [ids[3], 'logoff', {}],
    ]);
    const audit = (await readStream(harness.nc, harness.name, 'AUDIT'))
      .map((m) => m.json<{ action: string; actor: { name?: string }; target: { id: string } }>())
      .filter((a) => a.target.id === sessionId);
    expect(audit.map((a) => [a.action, a.actor.name])).toEqual([
      ['session.lock', 'admin'],
      ['session.notify', 'admin'],
      ['session.disconnect', 'admin'],
      ['session.logoff', 'admin'],
    ]);
  });

  it("reports what became of a command: sent, then the agent's answer, for this session only", async () => {
    const res = await act(admin, { action: 'lock' });
    const { commandId } = (await res.json()) as { commandId: string };
    const status = (token: string, id = sessionId, command = commandId) =>
      fetch(`${harness.url}/api/v1/sessions/${id}/commands/${command}`, {
        headers: { authorization: `Bearer ${token}` },
      });
    const sent = await status(admin);
    expect(sent.status).toBe(200);
    expect(await sent.json()).toMatchObject({
      commandId,
      sessionId,
      action: 'lock',
      issuedBy: 'admin',
      status: 'sent',
    });
    // Ingest publishes the agent's answer as command.result.
    const messaging = harness.api.app.get(Messaging);
    await messaging.publish('command.result', {
      v: 1,
      commandId,
      agentId,
      status: 'acked',
      detail: 'screen locked',
      at: new Date().toISOString(),
    });
    await waitFor(
      async () => ((await (await status(admin)).json()) as { status: string }).status !== 'sent',
      10_000,
      'the answer to be seen',
    );
    expect(await (await status(admin)).json()).toMatchObject({
      status: 'acked',
      detail: 'screen locked',
    });
    // Someone who may view the session may see it too; not for another session, not unknown.
    expect((await status(auditor)).status).toBe(200);
    expect((await status(admin, endedId)).status).toBe(404);
    expect((await status(admin, sessionId, randomUUID())).status).toBe(404);
    expect((await status(admin, sessionId, 'nope')).status).toBe(400);
    expect(
      (await fetch(`${harness.url}/api/v1/sessions/${sessionId}/commands/${commandId}`)).status,
    ).toBe(401);
  });

  it('knows commands another api replica sent, from the control subject', async () => {
    const messaging = harness.api.app.get(Messaging);
    const commandId = randomUUID();
    const now = Date.now();
    await messaging.publish('control.command', {
      v: 1,
      commandId,
      agentId,
      sessionId,
      action: 'start-recording',
      params: {},
      issuedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + 60_000).toISOString(),
      issuedBy: 'elsewhere',
    });
    await messaging.publish('command.result', {
      v: 1,
      commandId,
      agentId,
      status: 'failed',
      detail: 'already recording',
      at: new Date().toISOString(),
    });
    const url = `${harness.url}/api/v1/sessions/${sessionId}/commands/${commandId}`;
    await waitFor(
      async () =>
        (await fetch(url, { headers: { authorization: `Bearer ${admin}` } })).status === 200,
      10_000,
      'the command to be known',
    );
    const body = await (await fetch(url, { headers: { authorization: `Bearer ${admin}` } })).json();
    expect(body).toMatchObject({
      action: 'start-recording',
      issuedBy: 'elsewhere',
      status: 'failed',
      detail: 'already recording',
    });
  });
});
