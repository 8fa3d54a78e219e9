/**
 * `sessionrec enrol-token create` and `sessionrec agent revoke` against real PostgreSQL
 * and NATS: the token is printed once and stored hashed; revocation is written and
 * announced on `agent.revoked`.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/nats-core';
import { fullSubject, MESSAGES } from '@sessionrec/contracts';
import { Messaging, MessagingConnection, resolveOptions } from '@sessionrec/messaging';
import {
  connectTestNats,
  createTestSchemas,
  deleteNamespaceStreams,
  dropTestSchemas,
  testDatabaseUrl,
  testNatsUrl,
  uniqueTestName,
} from '@sessionrec/testing';
import { Client } from 'pg';
import { buildProgram } from '../program';

describe('agent administration commands', () => {
  const name = uniqueTestName('cli_agents');
  const schema = `${name}_ingest`;
  const env = {
    DATABASE_URL: testDatabaseUrl(),
    DATABASE_SCHEMA: schema,
    NATS_URL: testNatsUrl(),
    NATS_NAMESPACE: name,
  };
  let pg: Client;
  let nc: NatsConnection;

  beforeAll(async () => {
    await createTestSchemas(name);
    pg = new Client({ connectionString: testDatabaseUrl() });
    await pg.connect();
    nc = await connectTestNats();
    const connection = new MessagingConnection(
      resolveOptions({ url: testNatsUrl(), namespace: name, serviceName: 'cli-test' }),
    );
    await new Messaging(connection).ensureStreams();
    await connection.close();
  });

  afterAll(async () => {
    await pg.end();
    await deleteNamespaceStreams(nc, name);
    await nc.close();
    await dropTestSchemas(name);
  });

  async function run(...args: string[]): Promise<string[]> {
    const lines: string[] = [];
    const program = buildProgram({ env, out: (l) => lines.push(l), setExitCode: () => undefined });
    program.exitOverride();
    await program.parseAsync(['node', 'sessionrec', ...args]);
    return lines;
  }

  it('creates a one-time token, prints it once and stores only its hash', async () => {
    const lines = await run('enrol-token', 'create', '--expires-in', '2h', '--note', 'rack 4');
    const token = lines[0] ?? '';
    expect(token).toMatch(/^sre_[A-Za-z0-9_-]{43}$/);
    const { rows } = await pg.query<{ token_hash: string; note: string; hours: number }>(
      `SELECT token_hash, note, round(extract(epoch FROM expires_at - created_at) / 3600) AS hours
         FROM "${schema}".enrol_tokens`,
    );
    expect(rows).toEqual([
      {
        token_hash: createHash('sha256').update(token).digest('hex'),
        note: 'rack 4',
        hours: '2',
      },
    ]);
    await expect(run('enrol-token', 'create', '--expires-in', '90d')).rejects.toThrow(/30d/);
  });

  it('revokes an agent in the database and publishes agent.revoked', async () => {
    const tokenId = randomUUID();
    const agentId = randomUUID();
    await pg.query(
      `INSERT INTO "${schema}".enrol_tokens (id, token_hash, expires_at) VALUES ($1, $2, now())`,
      [tokenId, randomUUID()],
    );
    await pg.query(
      `INSERT INTO "${schema}".agents (id, credential_hash, hostname, os, agent_version, enrol_token_id)
       VALUES ($1, $2, 'h', 'o', 'v', $3)`,
      [agentId, '0'.repeat(64), tokenId],
    );
    const received: unknown[] = [];
    const sub = nc.subscribe(fullSubject(name, MESSAGES['agent.revoked'].subject), {
      callback: (_err, msg) => {
        received.push(msg.json());
      },
    });
    await nc.flush();

    const lines = await run('agent', 'revoke', agentId, '--reason', 'stolen laptop');
    expect(lines[0]).toContain(`Agent ${agentId} revoked`);
    const { rows } = await pg.query<{ revoked: boolean; revoke_reason: string }>(
      `SELECT revoked_at IS NOT NULL AS revoked, revoke_reason FROM "${schema}".agents WHERE id = $1`,
      [agentId],
    );
    expect(rows).toEqual([{ revoked: true, revoke_reason: 'stolen laptop' }]);
    await nc.flush();
    for (let i = 0; i < 100 && received.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    sub.unsubscribe();
    expect(received).toEqual([expect.objectContaining({ v: 1, agentId, reason: 'stolen laptop' })]);
    await expect(run('agent', 'revoke', randomUUID())).rejects.toThrow(/no agent/);
  });
});
