import type { PolicyEvaluateRequest } from '@sessionrec/contracts';
import {
  evaluateWithFailureMode,
  fullSubject,
  HEADERS,
  type PolicyAsker,
  type RecordingPolicyDocument,
} from '@sessionrec/contracts';
import { readStream, uniqueTestName } from '@sessionrec/testing';
import { type PolicyHarness, startPolicyHarness } from './harness';

const session: PolicyEvaluateRequest = {
  v: 1,
  sessionId: '00000000-0000-4000-8000-000000000001',
  agentId: '00000000-0000-4000-8000-000000000002',
  user: 'alice',
  groups: ['admins'],
  host: 'db-01',
  clientAddress: '10.0.0.5',
  protocol: 'terminal',
  at: '2026-01-05T10:00:00Z',
};

const doc: RecordingPolicyDocument = {
  name: 'Admins on servers',
  defaultAction: { action: 'do-not-record' },
  rules: [
    {
      id: 'admins',
      match: { groups: ['admins'], clientNetworks: ['10.0.0.0/8'] },
      action: 'record',
      notice: { show: true, text: 'Admin sessions are recorded' },
    },
  ],
};

const actor = { id: '00000000-0000-4000-8000-0000000000aa', name: 'pat' };

describe('policy service (real NATS and PostgreSQL)', () => {
  let h: PolicyHarness;

  beforeAll(async () => {
    h = await startPolicyHarness(uniqueTestName('policy'));
  });

  afterAll(async () => {
    await h.cleanup();
  });

  it('answers with the built-in do-not-record default before any policy exists', async () => {
    await expect(
      h.messaging.request('policy.evaluate', session, { timeoutMs: 5000 }),
    ).resolves.toEqual({
      v: 1,
      decision: 'do-not-record',
      ruleId: 'built-in-default',
      policyVersion: 0,
    });
    await expect(h.messaging.request('policy.get', { v: 1 }, { timeoutMs: 5000 })).resolves.toEqual(
      {
        v: 1,
        active: null,
      },
    );
  });

  it('rejects an invalid document with field paths and stores nothing', async () => {
    const bad = {
      ...doc,
      rules: [
        {
          id: 'x',
          match: {
            timeWindows: [{ days: ['mon'], from: '09:00', to: '10:00', timeZone: 'Mars/Base' }],
          },
          action: 'record',
        },
      ],
    };
    await expect(
      h.messaging.request('policy.put', { v: 1, document: bad, actor }, { timeoutMs: 5000 }),
    ).resolves.toEqual({
      v: 1,
      ok: false,
      errors: [
        {
          path: 'rules[0].match.timeWindows[0].timeZone',
          message: 'unknown time zone "Mars/Base"',
        },
      ],
    });
    const hostile = JSON.parse(
      '{"name":"x","defaultAction":{"action":"record"},"rules":[],"__proto__":{}}',
    ) as unknown;
    const reply = await h.messaging.request(
      'policy.put',
      { v: 1, document: hostile, actor },
      { timeoutMs: 5000 },
    );
    expect(reply).toEqual({
      v: 1,
      ok: false,
      errors: [{ path: '__proto__', message: 'forbidden key' }],
    });
    const versions = await h.messaging.request(
      'policy.list-versions',
      { v: 1, limit: 10 },
      { timeoutMs: 5000 },
    );
    expect(versions).toEqual({ v: 1, activeVersion: null, versions: [] });
  });

  it('stores a version, audits it, and evaluates with it at once', async () => {
    const put = await h.messaging.request(
      'policy.put',
      { v: 1, document: doc, actor, comment: 'first' },
      { timeoutMs: 5000 },
    );
    expect(put).toEqual({ v: 1, ok: true, version: 1, changedRuleIds: ['admins'] });
    const expected = {
      v: 1,
      decision: 'record',
      ruleId: 'admins',
      policyVersion: 1,
      notice: 'Admin sessions are recorded',
    };
    await expect(
      h.messaging.request('policy.evaluate', session, { timeoutMs: 5000 }),
    ).resolves.toEqual(expected);

    const audit = (await readStream(h.nc, h.name, 'AUDIT'))
      .filter((m) => m.header?.get(HEADERS.messageType) === 'audit')
      .map((m) => m.json<{ action: string; actor: { name: string }; details: unknown }>());
    expect(audit).toEqual([
      expect.objectContaining({
        action: 'policy.update',
        actor: expect.objectContaining({ name: 'pat' }) as unknown,
        details: expect.objectContaining({
          version: 1,
          addedRules: 'admins',
          comment: 'first',
        }) as unknown,
      }),
    ]);
  });

  it('keeps every version and reports what changed', async () => {
    const next: RecordingPolicyDocument = {
      ...doc,
      rules: [
        { id: 'contractors', match: { users: ['ext-*'] }, action: 'record' },
        ...doc.rules.map((r) => ({ ...r, match: { ...r.match, hosts: ['db-*'] } })),
      ],
    };
    const put = await h.messaging.request(
      'policy.put',
      { v: 1, document: next, actor },
      { timeoutMs: 5000 },
    );
    expect(put).toEqual({ v: 1, ok: true, version: 2, changedRuleIds: ['contractors', 'admins'] });
    const versions = await h.messaging.request(
      'policy.list-versions',
      { v: 1, limit: 10 },
      { timeoutMs: 5000 },
    );
    expect(versions.activeVersion).toBe(2);
    expect(versions.versions.map((v) => [v.version, v.createdBy])).toEqual([
      [2, 'pat'],
      [1, 'pat'],
    ]);
    const got = await h.messaging.request('policy.get', { v: 1 }, { timeoutMs: 5000 });
    expect(got.active?.info.version).toBe(2);
    expect(got.active?.document).toEqual(next);
  });

  it('tests a sample session against the active policy or a draft', async () => {
    const active = await h.messaging.request('policy.test', { v: 1, session }, { timeoutMs: 5000 });
    expect(active).toMatchObject({
      ok: true,
      recorded: true,
      result: { ruleId: 'admins', policyVersion: 2 },
    });
    const draft = await h.messaging.request(
      'policy.test',
      { v: 1, session, document: { ...doc, rules: [] } },
      { timeoutMs: 5000 },
    );
    expect(draft).toMatchObject({ ok: true, recorded: false, result: { ruleId: 'default' } });
    if (draft.ok) expect(draft.explanation).toMatch(/no rule matched/);
  });

  it('falls back to the failure mode when the policy service does not answer in time', async () => {
    // A responder that never replies: the asker's request times out for real.
    const silent = fullSubject(h.name, 'rpc.policy.silent');
    const sub = h.nc.subscribe(silent, { callback: () => undefined });
    const asker: PolicyAsker = {
      request: async (_type, payload, opts) => {
        const msg = await h.nc.request(silent, JSON.stringify(payload), {
          timeout: opts.timeoutMs,
        });
        return msg.json();
      },
    };
    try {
      for (const mode of ['record', 'do-not-record'] as const) {
        const { reply, failed } = await evaluateWithFailureMode(asker, session, mode, 200);
        expect(failed).toBeInstanceOf(Error);
        expect(reply).toEqual({ v: 1, decision: mode, ruleId: 'failure-mode', policyVersion: 0 });
      }
    } finally {
      sub.unsubscribe();
    }
  });
});
