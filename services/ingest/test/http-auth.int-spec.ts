/**
 * Enrolment and authentication over the real ingest app: one-time, expiring tokens
 * (exactly one of two concurrent enrolments wins), and every way a credential can be
 * wrong, including revocation taking effect at once.
 */
import { randomUUID } from 'node:crypto';
import { fullSubject, MESSAGES } from '@sessionrec/contracts';
import { uniqueTestName } from '@sessionrec/testing';
import {
  createEnrolToken,
  enrol,
  enrolAgent,
  type HttpIngest,
  postJson,
  startHttpIngest,
} from './http-harness';

const session = () => ({
  sessionId: randomUUID(),
  user: 'bob',
  host: 'host-1',
  protocol: 'terminal',
  startedAt: '2030-01-01T00:00:00.000Z',
});

describe('agent enrolment and authentication', () => {
  let ingest: HttpIngest;

  beforeAll(async () => {
    ingest = await startHttpIngest(uniqueTestName('http_auth'));
  });

  afterAll(async () => {
    await ingest.cleanup();
  });

  it('exchanges a token once for an agent id and a credential stored only as a hash', async () => {
    const token = await createEnrolToken(ingest);
    const first = await enrol(ingest, token);
    expect(first.status).toBe(201);
    const body = (await first.json()) as { agentId: string; credential: string };
    expect(body.credential).toMatch(new RegExp(`^sra_${body.agentId}_[A-Za-z0-9_-]{43}$`));
    const { rows } = await ingest.pg.query<{ credential_hash: string }>(
      `SELECT credential_hash FROM "${ingest.schema}".agents WHERE id = $1`,
      [body.agentId],
    );
    expect(rows[0]?.credential_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(body.credential);

    const again = await enrol(ingest, token);
    expect(again.status).toBe(401);
    expect(await again.json()).toEqual({
      error: { code: 'token_used', message: 'enrolment token was already used' },
    });
  });

  it('refuses expired and unknown tokens', async () => {
    const expired = await enrol(ingest, await createEnrolToken(ingest, '-1 minute'));
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { error: { code: string } }).error.code).toBe(
      'token_expired',
    );
    const unknown = await enrol(ingest, 'sre_not-a-token');
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe(
      'token_invalid',
    );
  });

  it('lets exactly one of concurrent enrolments with one token win', async () => {
    const token = await createEnrolToken(ingest);
    const results = await Promise.all(Array.from({ length: 6 }, () => enrol(ingest, token)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 401, 401, 401, 401, 401]);
    const { rows } = await ingest.pg.query(
      `SELECT a.id FROM "${ingest.schema}".agents a JOIN "${ingest.schema}".enrol_tokens t
         ON t.id = a.enrol_token_id WHERE t.token_hash = encode(sha256($1::bytea), 'hex')`,
      [token],
    );
    expect(rows).toHaveLength(1);
  });

  it('answers 401 for a missing, malformed or forged credential', async () => {
    const agent = await enrolAgent(ingest);
    const forged =
      agent.credential.slice(0, -4) + (agent.credential.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const cases: (string | undefined)[] = [
      undefined,
      'Bearer',
      'Basic abc',
      `Bearer ${agent.credential.slice(0, 20)}`,
      `Bearer ${forged}`,
      `Bearer sra_${randomUUID()}_${'A'.repeat(43)}`,
      `Bearer ${'x'.repeat(5000)}`,
    ];
    for (const auth of cases) {
      const res = await postJson(ingest, '/sessions', session(), auth);
      expect(res.status).toBe(401);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('unauthorized');
    }
    const ok = await postJson(ingest, '/sessions', session(), agent.auth);
    expect(ok.status).toBe(201);
  });

  it('refuses a revoked agent at once, even with its credential cached', async () => {
    const agent = await enrolAgent(ingest);
    expect((await postJson(ingest, '/sessions', session(), agent.auth)).status).toBe(201);
    await ingest.pg.query(`UPDATE "${ingest.schema}".agents SET revoked_at = now() WHERE id = $1`, [
      agent.agentId,
    ]);
    const payload = {
      v: 1,
      agentId: agent.agentId,
      revokedAt: new Date().toISOString(),
      revokedBy: 'test',
    };
    ingest.nc.publish(
      fullSubject(ingest.name, MESSAGES['agent.revoked'].subject),
      JSON.stringify(payload),
    );
    await ingest.nc.flush();
    // Delivery is asynchronous: poll, for well under the 5 s cache TTL, until it is refused.
    let status = 0;
    for (let i = 0; i < 50 && status !== 401; i++) {
      status = (await postJson(ingest, '/sessions', session(), agent.auth)).status;
      if (status !== 401) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(401);
    const res = await postJson(ingest, '/sessions', session(), agent.auth);
    expect(await res.json()).toEqual({
      error: { code: 'revoked', message: 'agent credential revoked' },
    });
  });
});
