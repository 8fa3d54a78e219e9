/**
 * The detection and viewing kinds of the policy service against real NATS and PostgreSQL:
 * versions, audit with the kind, change notices carrying the kind, evaluation after a put,
 * and refused documents naming the field.
 */
import { randomUUID } from 'node:crypto';
import type { Msg } from '@nats-io/nats-core';
import {
  BUILT_IN_DETECTION_OPTIONS,
  EVENT_TYPE_NAMES,
  fullSubject,
  POLICY_CHANGED_SUBJECT,
  type PolicyChanged,
} from '@sessionrec/contracts';
import { readStream, testDatabaseUrl, uniqueTestName, waitFor } from '@sessionrec/testing';
import { Client } from 'pg';
import { type PolicyHarness, startPolicyHarness } from './harness';

const actor = { id: '00000000-0000-4000-8000-0000000000bb', name: 'quinn' };
const alice = { v: 1 as const, user: 'alice', groups: ['dba'], host: 'db-01' };

const detection = {
  name: 'Servers',
  defaults: { events: ['usb.insert', 'file.write.removable'] },
  rules: [
    {
      id: 'dba-on-db',
      match: { groups: ['dba'], hosts: ['db-*'] },
      events: ['command.start', 'privilege.use'],
      options: { captureCommandLines: false, idleThresholdSeconds: 900 },
    },
  ],
};

const viewing = {
  name: 'Helpdesk sees contractors',
  rules: [
    { id: 'helpdesk', viewers: { roles: ['helpdesk'] }, recordings: { groups: ['contractors'] } },
  ],
};

describe('detection and viewing policies (real NATS and PostgreSQL)', () => {
  let h: PolicyHarness;
  const notices: PolicyChanged[] = [];

  beforeAll(async () => {
    h = await startPolicyHarness(uniqueTestName('policykinds'));
    h.nc.subscribe(fullSubject(h.name, POLICY_CHANGED_SUBJECT), {
      callback: (_err, msg: Msg) => {
        notices.push(msg.json<PolicyChanged>());
      },
    });
  });

  afterAll(async () => {
    await h.cleanup();
  });

  it('reports every event before a detection policy exists', async () => {
    await expect(
      h.messaging.request('policy.detection.evaluate', alice, { timeoutMs: 5000 }),
    ).resolves.toEqual({
      v: 1,
      policyVersion: 0,
      ruleId: 'built-in-default',
      events: [...EVENT_TYPE_NAMES],
      options: BUILT_IN_DETECTION_OPTIONS,
    });
    await expect(
      h.messaging.request('policy.detection.get', { v: 1 }, { timeoutMs: 5000 }),
    ).resolves.toEqual({ v: 1, active: null });
  });

  it('publishes a detection policy: evaluated at once, versioned, audited, announced', async () => {
    const put = await h.messaging.request(
      'policy.detection.put',
      { v: 1, document: detection, actor, comment: 'servers' },
      { timeoutMs: 5000 },
    );
    expect(put).toEqual({ v: 1, ok: true, version: 1, changedRuleIds: ['dba-on-db'] });
    const decided = await h.messaging.request('policy.detection.evaluate', alice, {
      timeoutMs: 5000,
    });
    expect(decided).toMatchObject({
      policyVersion: 1,
      ruleId: 'dba-on-db',
      options: { captureCommandLines: false, idleThresholdSeconds: 900 },
    });
    expect(decided.events).toContain('privilege.use');
    expect(decided.events).not.toContain('usb.insert');

    const elsewhere = await h.messaging.request(
      'policy.detection.test',
      { v: 1, subject: { ...alice, host: 'web-01' } },
      { timeoutMs: 5000 },
    );
    expect(elsewhere).toMatchObject({ ok: true, result: { ruleId: 'default' } });

    const versions = await h.messaging.request(
      'policy.detection.list-versions',
      { v: 1, limit: 10 },
      { timeoutMs: 5000 },
    );
    expect(versions).toMatchObject({
      activeVersion: 1,
      versions: [{ version: 1, createdBy: 'quinn', comment: 'servers' }],
    });
    // The recording policy is a different kind: still nothing published there.
    await expect(h.messaging.request('policy.get', { v: 1 }, { timeoutMs: 5000 })).resolves.toEqual(
      { v: 1, active: null },
    );

    await waitFor(() => notices.some((n) => n.kind === 'detection' && n.version === 1));
    const audit = (await readStream(h.nc, h.name, 'AUDIT')).map((m) =>
      m.json<{ action: string; actor: { name: string }; target: unknown; details: unknown }>(),
    );
    expect(audit).toEqual([
      expect.objectContaining({
        action: 'policy.update',
        actor: expect.objectContaining({ name: 'quinn' }) as unknown,
        target: { type: 'detection-policy', id: 'detection' },
        details: expect.objectContaining({
          kind: 'detection',
          version: 1,
          addedRules: 'dba-on-db',
          comment: 'servers',
        }) as unknown,
      }),
    ]);
  });

  it('audits what a new version changed', async () => {
    const next = {
      ...detection,
      defaults: { events: ['usb.insert'] },
      rules: [
        { ...detection.rules[0], match: { groups: ['dba'] } },
        { id: 'web', match: { hosts: ['web-*'] }, events: [] },
      ],
    };
    const put = await h.messaging.request(
      'policy.detection.put',
      { v: 1, document: next, actor },
      { timeoutMs: 5000 },
    );
    expect(put).toEqual({ v: 1, ok: true, version: 2, changedRuleIds: ['web', 'dba-on-db'] });
    const audit = (await readStream(h.nc, h.name, 'AUDIT'))
      .map((m) => m.json<{ details: Record<string, unknown> }>())
      .at(-1);
    expect(audit?.details).toMatchObject({
      version: 2,
      previousVersion: 1,
      addedRules: 'web',
      changedRules: 'dba-on-db',
      removedRules: '',
      defaultChanged: true,
      otherChanged: false,
    });
  });

  it('refuses hostile or invalid detection documents, naming the field', async () => {
    const cases: [unknown, string][] = [
      [
        JSON.parse(
          '{"name":"x","defaults":{"events":[]},"rules":[],"constructor":{"prototype":{}}}',
        ),
        'constructor: forbidden key',
      ],
      [{ ...detection, defaults: { events: ['usb.melt'] } }, 'defaults.events[0]: '],
      [
        { ...detection, rules: [{ id: 'a', match: { hosts: ['db-[1-3]'] } }] },
        'rules[0].match.hosts[0]: invalid glob',
      ],
    ];
    for (const [document, expected] of cases) {
      const reply = await h.messaging.request(
        'policy.detection.put',
        { v: 1, document, actor },
        { timeoutMs: 5000 },
      );
      expect(reply.ok).toBe(false);
      if (!reply.ok)
        expect(reply.errors.map((e) => `${e.path}: ${e.message}`).join('\n')).toContain(expected);
    }
    const versions = await h.messaging.request(
      'policy.detection.list-versions',
      { v: 1, limit: 10 },
      { timeoutMs: 5000 },
    );
    expect(versions.versions.map((v) => v.version)).toEqual([2, 1]);
  });

  it('reloads a kind when another instance announces a change of it', async () => {
    // Another instance stored version 3 of the detection policy and announced it.
    const pg = new Client({ connectionString: testDatabaseUrl() });
    await pg.connect();
    try {
      const schema = `"${h.name}_policy"`;
      await pg.query(
        `INSERT INTO ${schema}.policies (id, kind, version, document, created_by, created_by_id)
         VALUES ($1, 'detection', 3, $2::jsonb, 'elsewhere', 'elsewhere')`,
        [randomUUID(), JSON.stringify({ ...detection, rules: [] })],
      );
      await pg.query(`UPDATE ${schema}.active_policies SET version = 3 WHERE kind = 'detection'`);
    } finally {
      await pg.end();
    }
    const notice: PolicyChanged = {
      v: 1,
      kind: 'detection',
      version: 3,
      changedAt: new Date().toISOString(),
    };
    h.nc.publish(fullSubject(h.name, POLICY_CHANGED_SUBJECT), JSON.stringify(notice));
    await waitFor(async () => {
      const r = await h.messaging.request('policy.detection.evaluate', alice, {
        timeoutMs: 5000,
      });
      return r.policyVersion === 3 && r.ruleId === 'default';
    });
  });

  it('stores viewing policies as versions and serves the active one', async () => {
    await expect(
      h.messaging.request('policy.viewing.get', { v: 1 }, { timeoutMs: 5000 }),
    ).resolves.toEqual({ v: 1, active: null });
    const bad = await h.messaging.request(
      'policy.viewing.put',
      { v: 1, document: { ...viewing, rules: [{ id: 'x', viewers: {}, recordings: {} }] }, actor },
      { timeoutMs: 5000 },
    );
    expect(bad).toEqual({
      v: 1,
      ok: false,
      errors: [
        { path: 'rules[0].viewers', message: 'name at least one of roles, users or groups' },
      ],
    });
    const put = await h.messaging.request(
      'policy.viewing.put',
      { v: 1, document: viewing, actor },
      { timeoutMs: 5000 },
    );
    expect(put).toEqual({ v: 1, ok: true, version: 1, changedRuleIds: ['helpdesk'] });
    const got = await h.messaging.request('policy.viewing.get', { v: 1 }, { timeoutMs: 5000 });
    expect(got.active).toMatchObject({
      info: { version: 1, createdBy: 'quinn' },
      document: viewing,
    });
    await waitFor(() => notices.some((n) => n.kind === 'viewing' && n.version === 1));
    const audit = (await readStream(h.nc, h.name, 'AUDIT'))
      .map((m) => m.json<{ target: { type: string } }>())
      .filter((a) => a.target.type === 'viewing-policy');
    expect(audit).toHaveLength(1);
  });
});
