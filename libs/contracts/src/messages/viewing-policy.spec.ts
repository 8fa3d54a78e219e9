import {
  BUILT_IN_VIEWING_POLICY,
  decideViewing,
  inViewingScope,
  validateViewingPolicy,
  type ViewedSession,
  type Viewer,
  viewingScopeFor,
  type ViewingPolicyDocument,
} from './viewing-policy';

const policy: ViewingPolicyDocument = {
  name: 'Teams',
  rules: [
    {
      id: 'helpdesk-finance',
      viewers: { roles: ['helpdesk'], groups: ['support-*'] },
      recordings: { groups: ['finance'], hosts: ['fin-*'] },
    },
    { id: 'helpdesk-kiosk', viewers: { roles: ['helpdesk'] }, recordings: { users: ['kiosk*'] } },
    { id: 'alice-all', viewers: { users: ['alice'] }, recordings: {} },
  ],
};

describe('viewing policy validation', () => {
  it('accepts a well-formed document', () => {
    expect(validateViewingPolicy(policy)).toMatchObject({ ok: true });
  });

  it('names the exact field of each problem', () => {
    const result = validateViewingPolicy({
      name: 'x',
      rules: [
        { id: 'a', viewers: {}, recordings: {} },
        { id: 'a', viewers: { roles: ['root'] }, recordings: { hosts: ['db[1]'] } },
      ],
    });
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.errors.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'rules[0].viewers',
        'rules[1].viewers.roles[0]',
        'rules[1].recordings.hosts[0]',
      ]),
    );
  });

  it('refuses duplicate rule ids', () => {
    const rule = { id: 'a', viewers: { roles: ['admin'] }, recordings: {} };
    expect(validateViewingPolicy({ name: 'x', rules: [rule, rule] })).toMatchObject({
      ok: false,
      errors: [{ path: 'rules[1].id', message: 'duplicate rule id "a"' }],
    });
  });

  it('refuses hostile shapes and unknown keys', () => {
    const polluted = JSON.parse('{"name":"x","rules":[],"__proto__":{"admin":true}}') as unknown;
    expect(validateViewingPolicy(polluted)).toMatchObject({
      ok: false,
      errors: [{ path: '__proto__', message: 'forbidden key' }],
    });
    expect(validateViewingPolicy({ name: 'x', rules: [], allowAll: true })).toMatchObject({
      ok: false,
    });
  });
});

describe('viewing scope', () => {
  it('collects the recordings of every rule naming the viewer', () => {
    expect(viewingScopeFor(policy, { username: 'bob', roles: ['helpdesk'], groups: [] })).toEqual({
      anyOf: [{ groups: ['finance'], hosts: ['fin-*'] }, { users: ['kiosk*'] }],
    });
  });

  it('matches viewers by group glob', () => {
    expect(
      viewingScopeFor(policy, { username: 'carol', roles: [], groups: ['Support-EU'] }),
    ).toEqual({ anyOf: [{ groups: ['finance'], hosts: ['fin-*'] }] });
  });

  it('is unrestricted when a rule naming the viewer covers everything', () => {
    expect(viewingScopeFor(policy, { username: 'alice', roles: [], groups: [] })).toBeUndefined();
  });

  it('is empty for someone no rule names', () => {
    expect(viewingScopeFor(policy, { username: 'eve', roles: ['auditor'], groups: [] })).toEqual({
      anyOf: [],
    });
  });

  it('built in: admins, investigators and auditors see all; helpdesk nothing', () => {
    for (const role of ['admin', 'investigator', 'auditor']) {
      expect(
        viewingScopeFor(BUILT_IN_VIEWING_POLICY, { username: 'x', roles: [role], groups: [] }),
      ).toBeUndefined();
    }
    expect(
      viewingScopeFor(BUILT_IN_VIEWING_POLICY, { username: 'x', roles: ['helpdesk'], groups: [] }),
    ).toEqual({ anyOf: [] });
  });
});

describe('viewing decision (the test of a sample)', () => {
  const finance: ViewedSession = { user: 'fred', groups: ['Finance'], host: 'FIN-01' };
  const kiosk: ViewedSession = { user: 'kiosk7', groups: [], host: 'lobby' };
  const other: ViewedSession = { user: 'olga', groups: ['ops'], host: 'fin-02', applications: [] };

  it('allows by the first rule that names the viewer and covers the session', () => {
    const bob: Viewer = { roles: ['helpdesk'], groups: [] };
    expect(decideViewing(policy, bob, finance)).toEqual({
      allowed: true,
      ruleId: 'helpdesk-finance',
      explanation: 'allowed: rule "helpdesk-finance" names this viewer and covers this session',
    });
    expect(decideViewing(policy, bob, kiosk)).toMatchObject({
      allowed: true,
      ruleId: 'helpdesk-kiosk',
    });
  });

  it('denies naming what did not match, or that no rule names the viewer', () => {
    const bob: Viewer = { roles: ['helpdesk'], groups: [] };
    const denied = decideViewing(policy, bob, other);
    expect(denied).toEqual({
      allowed: false,
      explanation:
        'denied: the rules naming this viewer do not cover this session (rule "helpdesk-finance": groups do not match; rule "helpdesk-kiosk": users do not match)',
    });
    expect(decideViewing(policy, { roles: ['auditor'], groups: [] }, finance)).toEqual({
      allowed: false,
      explanation: 'denied: no rule names this viewer (by role, user or group)',
    });
  });

  it('matches viewer users only when the sample names a user', () => {
    const everyone: ViewingPolicyDocument = {
      name: 'x',
      rules: [{ id: 'anyone', viewers: { users: ['*'] }, recordings: {} }],
    };
    expect(decideViewing(everyone, { roles: [], groups: [] }, kiosk).allowed).toBe(false);
    expect(decideViewing(everyone, { username: 'z', roles: [], groups: [] }, kiosk)).toMatchObject({
      allowed: true,
      ruleId: 'anyone',
    });
  });

  it('matches applications when any application of the session does; none never does', () => {
    const apps: ViewingPolicyDocument = {
      name: 'x',
      rules: [
        { id: 'sap', viewers: { roles: ['helpdesk'] }, recordings: { applications: ['sap*'] } },
      ],
    };
    const viewer: Viewer = { roles: ['helpdesk'], groups: [] };
    expect(decideViewing(apps, viewer, kiosk).allowed).toBe(false);
    expect(
      decideViewing(apps, viewer, { ...kiosk, applications: ['firefox', 'SAPgui'] }).allowed,
    ).toBe(true);
  });

  it('built in: admin, investigator and auditor allowed; helpdesk and policy-admin denied', () => {
    for (const role of ['admin', 'investigator', 'auditor']) {
      expect(
        decideViewing(BUILT_IN_VIEWING_POLICY, { roles: [role], groups: [] }, kiosk, true),
      ).toEqual({
        allowed: true,
        ruleId: 'built-in-viewers',
        explanation:
          'no viewing policy is published, so the built-in one applies: allowed: rule "built-in-viewers" names this viewer and covers every session',
      });
    }
    for (const role of ['helpdesk', 'policy-admin']) {
      expect(
        decideViewing(BUILT_IN_VIEWING_POLICY, { roles: [role], groups: [] }, kiosk, true).allowed,
      ).toBe(false);
    }
  });

  it('agrees with the scope enforcement sends to the catalogue, for every viewer and session', () => {
    const viewers: Viewer[] = [
      { username: 'bob', roles: ['helpdesk'], groups: [] },
      { username: 'carol', roles: [], groups: ['support-eu'] },
      { username: 'alice', roles: [], groups: [] },
      { username: 'eve', roles: ['auditor'], groups: [] },
    ];
    for (const viewer of viewers) {
      for (const session of [finance, kiosk, other]) {
        const scope = viewingScopeFor(policy, viewer);
        expect(decideViewing(policy, viewer, session).allowed).toBe(inViewingScope(scope, session));
      }
    }
    expect(inViewingScope({ anyOf: [] }, kiosk)).toBe(false);
    expect(inViewingScope(undefined, kiosk)).toBe(true);
  });
});
