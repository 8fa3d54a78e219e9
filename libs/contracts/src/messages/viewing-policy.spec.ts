import {
  BUILT_IN_VIEWING_POLICY,
  validateViewingPolicy,
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
