/**
 * The control WebSocket against real NATS and PostgreSQL: commands published on
 * `control.command` reach the enrolled agent live or after a reconnect, its answers (and
 * its silence) become `command.result`, and nobody else can connect or answer for it.
 */
import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/nats-core';
import {
  connectTestNats,
  deleteNamespaceStreams,
  uniqueTestName,
  waitFor,
} from '@sessionrec/testing';
import {
  commandResults,
  enrolAgent,
  type EnrolledAgent,
  type Ingest,
  newCommand,
  startIngest,
  TestAgent,
  UpgradeRefused,
  waitForResult,
} from './control-harness';

async function refusal(connecting: Promise<TestAgent>): Promise<number> {
  try {
    const agent = await connecting;
    await agent.close();
    return 101;
  } catch (err) {
    if (err instanceof UpgradeRefused) return err.status;
    throw err;
  }
}

describe('control channel (GET /agent/v1/control)', () => {
  const name = uniqueTestName('control');
  let ingest: Ingest;
  let nc: NatsConnection;
  let alice: EnrolledAgent;
  let bob: EnrolledAgent;
  const open: TestAgent[] = [];

  async function connect(agent: EnrolledAgent): Promise<TestAgent> {
    const socket = await TestAgent.forAgent(ingest, agent);
    open.push(socket);
    return socket;
  }

  beforeAll(async () => {
    ingest = await startIngest(name);
    nc = await connectTestNats('control-test');
    alice = await enrolAgent(ingest);
    bob = await enrolAgent(ingest);
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  afterAll(async () => {
    await ingest?.cleanup();
    if (nc) {
      await deleteNamespaceStreams(nc, name);
      await nc.close();
    }
  });

  it('delivers a published command to the connected agent, and its ack becomes command.result acked', async () => {
    const agent = await connect(alice);
    const command = newCommand(alice.agentId, { action: 'lock', params: { message: 'hi' } });
    const publishedAt = Date.now();
    await ingest.messaging.publish('control.command', command);
    const frame = await agent.waitForCommand(command.commandId);
    process.stdout.write(`control command arrived ${Date.now() - publishedAt} ms after publish\n`);
    expect(frame).toEqual({
      type: 'command',
      commandId: command.commandId,
      action: 'lock',
      params: { message: 'hi' },
      expiresAt: command.expiresAt,
    });

    agent.result(command.commandId, 'acked', 'screen locked');
    const result = await waitForResult(nc, name, command.commandId);
    expect(result).toMatchObject({
      v: 1,
      commandId: command.commandId,
      agentId: alice.agentId,
      status: 'acked',
      detail: 'screen locked',
    });
  });

  it('publishes failed when the agent reports a failure', async () => {
    const agent = await connect(alice);
    const command = newCommand(alice.agentId, { action: 'logoff' });
    await ingest.messaging.publish('control.command', command);
    await agent.waitForCommand(command.commandId);
    agent.result(command.commandId, 'failed', 'no interactive session');
    const result = await waitForResult(nc, name, command.commandId);
    expect(result).toMatchObject({ status: 'failed', detail: 'no interactive session' });
  });

  it('reports timed-out for a delivered command nobody answers by expiresAt', async () => {
    const agent = await connect(alice);
    const command = newCommand(alice.agentId, {
      expiresAt: new Date(Date.now() + 1_500).toISOString(),
    });
    await ingest.messaging.publish('control.command', command);
    await agent.waitForCommand(command.commandId);
    const result = await waitForResult(nc, name, command.commandId);
    expect(result).toMatchObject({ agentId: alice.agentId, status: 'timed-out' });
    // An answer after the timeout changes nothing.
    agent.result(command.commandId, 'acked');
    const marker = newCommand(alice.agentId);
    await ingest.messaging.publish('control.command', marker);
    await agent.waitForCommand(marker.commandId);
    agent.result(marker.commandId, 'acked');
    await waitForResult(nc, name, marker.commandId);
    const forCommand = (await commandResults(nc, name)).filter(
      (r) => r.commandId === command.commandId,
    );
    expect(forCommand.map((r) => r.status)).toEqual(['timed-out']);
  });

  it('reports timed-out for a command whose agent is not connected', async () => {
    const command = newCommand(bob.agentId, {
      expiresAt: new Date(Date.now() + 1_000).toISOString(),
    });
    await ingest.messaging.publish('control.command', command);
    const result = await waitForResult(nc, name, command.commandId);
    expect(result).toMatchObject({ agentId: bob.agentId, status: 'timed-out' });
  });

  it('replays a command published while the agent was disconnected once it reconnects', async () => {
    const first = await connect(alice);
    await first.drop();
    const command = newCommand(alice.agentId, { action: 'notice', params: { text: 'hello' } });
    await ingest.messaging.publish('control.command', command);

    const again = await connect(alice);
    const frame = await again.waitForCommand(command.commandId);
    expect(frame).toMatchObject({ action: 'notice', params: { text: 'hello' } });
    again.result(command.commandId, 'acked');
    expect(await waitForResult(nc, name, command.commandId)).toMatchObject({ status: 'acked' });

    // An answered command is not replayed to the next connection.
    await again.close();
    const third = await connect(alice);
    const marker = newCommand(alice.agentId);
    await ingest.messaging.publish('control.command', marker);
    await third.waitForCommand(marker.commandId);
    expect(third.commands().map((c) => c.commandId)).not.toContain(command.commandId);
  });

  it('sends each command once per connection even when live delivery and replay overlap', async () => {
    const agent = await connect(alice);
    const commands = Array.from({ length: 5 }, () => newCommand(alice.agentId));
    await Promise.all(commands.map((c) => ingest.messaging.publish('control.command', c)));
    for (const c of commands) await agent.waitForCommand(c.commandId);
    const second = await connect(alice); // replaces the first and replays all five
    for (const c of commands) await second.waitForCommand(c.commandId);
    const marker = newCommand(alice.agentId);
    await ingest.messaging.publish('control.command', marker);
    await second.waitForCommand(marker.commandId);
    const ids = second.commands().map((c) => c.commandId);
    for (const c of commands) expect(ids.filter((id) => id === c.commandId)).toHaveLength(1);
  });

  it('closes the older socket with 4000 when the same agent connects again', async () => {
    const first = await connect(alice);
    await connect(alice);
    expect(await first.closed).toEqual({ code: 4000, reason: 'replaced by a newer connection' });
  });

  it('refuses an upgrade without or with a forged credential with 401, before any socket exists', async () => {
    expect(await refusal(TestAgent.connect(ingest.wsUrl))).toBe(401);
    expect(await refusal(TestAgent.connect(ingest.wsUrl, 'Bearer nonsense'))).toBe(401);
    const forged = `sra_${alice.agentId}_${'A'.repeat(43)}`;
    expect(await refusal(TestAgent.connect(ingest.wsUrl, `Bearer ${forged}`))).toBe(401);
    const unknown = `sra_${randomUUID()}_${'B'.repeat(43)}`;
    expect(await refusal(TestAgent.connect(ingest.wsUrl, `Bearer ${unknown}`))).toBe(401);
    const elsewhere = ingest.wsUrl.replace('/agent/v1/control', '/agent/v1/other');
    expect(await refusal(TestAgent.connect(elsewhere, `Bearer ${alice.credential}`))).toBe(404);
  });

  it('ignores results for commands sent to another agent or never sent at all', async () => {
    const aliceSocket = await connect(alice);
    const bobSocket = await connect(bob);
    const forAlice = newCommand(alice.agentId);
    const forBob = newCommand(bob.agentId);
    await ingest.messaging.publish('control.command', forAlice);
    await ingest.messaging.publish('control.command', forBob);
    await aliceSocket.waitForCommand(forAlice.commandId);
    await bobSocket.waitForCommand(forBob.commandId);

    bobSocket.result(forAlice.commandId, 'failed', 'forged by bob');
    bobSocket.result(randomUUID(), 'acked', 'invented');
    bobSocket.result(forBob.commandId, 'acked');
    await waitForResult(nc, name, forBob.commandId);
    expect(bobSocket.ws.readyState).toBe(bobSocket.ws.OPEN);
    expect((await commandResults(nc, name)).map((r) => r.commandId)).not.toContain(
      forAlice.commandId,
    );

    aliceSocket.result(forAlice.commandId, 'acked');
    expect(await waitForResult(nc, name, forAlice.commandId)).toMatchObject({
      agentId: alice.agentId,
      status: 'acked',
    });
  });

  it.each([
    ['not JSON', '{"type":'],
    ['an unknown frame type', { type: 'hello' }],
    ['a result with an extra field', 'EXTRA'],
    ['a result with a bad status', 'BADSTATUS'],
  ])('closes with 1008 on %s, publishes nothing for it and keeps serving', async (_what, frame) => {
    const agent = await connect(alice);
    const command = newCommand(alice.agentId);
    await ingest.messaging.publish('control.command', command);
    await agent.waitForCommand(command.commandId);
    const bad =
      frame === 'EXTRA'
        ? { type: 'command-result', commandId: command.commandId, status: 'acked', extra: 1 }
        : frame === 'BADSTATUS'
          ? { type: 'command-result', commandId: command.commandId, status: 'timed-out' }
          : frame;
    agent.send(bad);
    expect((await agent.closed).code).toBe(1008);

    const health = await fetch(`${ingest.url}/health/live`);
    expect(health.status).toBe(200);
    const again = await connect(alice);
    await again.waitForCommand(command.commandId); // replayed: the bad frame resolved nothing
    expect((await commandResults(nc, name)).map((r) => r.commandId)).not.toContain(
      command.commandId,
    );
    again.result(command.commandId, 'acked');
    expect(await waitForResult(nc, name, command.commandId)).toMatchObject({ status: 'acked' });
  });

  it('closes with 1009 on a frame larger than 64 KiB', async () => {
    const agent = await connect(alice);
    agent.send({ type: 'pong', at: new Date().toISOString(), pad: 'x'.repeat(70 * 1024) });
    expect((await agent.closed).code).toBe(1009);
  });

  it('counts connected agents in the metrics', async () => {
    await connect(alice);
    await connect(bob);
    await waitFor(async () => {
      const text = await (await fetch(`${ingest.url}/metrics`)).text();
      return /sessionrec_ingest_control_connected_agents(\{[^}]*\})? 2\b/.test(text);
    });
  });

  it('closes a revoked agent at once with 4401 and refuses it afterwards', async () => {
    const victim = await enrolAgent(ingest);
    const agent = await connect(victim);
    await ingest.pg.query(`UPDATE "${name}_ingest".agents SET revoked_at = now() WHERE id = $1`, [
      victim.agentId,
    ]);
    await ingest.messaging.publish('agent.revoked', {
      v: 1,
      agentId: victim.agentId,
      revokedAt: new Date().toISOString(),
      revokedBy: 'control-test',
    });
    expect(await agent.closed).toEqual({ code: 4401, reason: 'agent credential revoked' });
    expect(await refusal(TestAgent.forAgent(ingest, victim))).toBe(401);
  });

  it('closes every socket with 1001 when ingest shuts down', async () => {
    const a = await connect(alice);
    const b = await connect(bob);
    await ingest.stop();
    expect((await a.closed).code).toBe(1001);
    expect((await b.closed).code).toBe(1001);
  });
});
