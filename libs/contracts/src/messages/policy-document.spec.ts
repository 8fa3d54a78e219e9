import { validateRecordingPolicy } from './policy-document';

const valid = {
  name: 'Default',
  defaultAction: { action: 'do-not-record' },
  rules: [
    {
      id: 'admins',
      match: {
        groups: ['admins'],
        clientNetworks: ['10.0.0.0/8', '2001:db8::/32'],
        timeWindows: [{ days: ['mon', 'fri'], from: '22:00', to: '06:00', timeZone: 'UTC' }],
      },
      action: 'record',
    },
  ],
};

function errorsOf(doc: unknown): string[] {
  const r = validateRecordingPolicy(doc);
  return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
}

function withRules(rules: unknown[]): unknown {
  return { ...valid, rules };
}

describe('validateRecordingPolicy', () => {
  it('accepts a valid document', () => {
    expect(validateRecordingPolicy(valid)).toEqual({ ok: true, document: valid });
  });

  it('names the exact field of an unknown time zone', () => {
    const rules = [
      valid.rules[0],
      { id: 'b', match: {}, action: 'record' },
      {
        id: 'c',
        match: {
          timeWindows: [{ days: ['mon'], from: '09:00', to: '10:00', timeZone: 'Mars/Base' }],
        },
        action: 'record',
      },
    ];
    expect(errorsOf(withRules(rules))).toEqual([
      'rules[2].match.timeWindows[0].timeZone: unknown time zone "Mars/Base"',
    ]);
  });

  it.each([
    [{ clientNetworks: ['10.0.0.0/33'] }, 'rules[0].match.clientNetworks[0]'],
    [{ clientNetworks: ['not-an-ip'] }, 'rules[0].match.clientNetworks[0]'],
    [{ clientNetworks: ['2001:db8::/129'] }, 'rules[0].match.clientNetworks[0]'],
    [{ users: ['a[b]'] }, 'rules[0].match.users[0]'],
    [{ users: [''] }, 'rules[0].match.users[0]'],
    [{ users: [42] }, 'rules[0].match.users[0]'],
    [
      { timeWindows: [{ days: ['mon'], from: '24:00', to: '10:00', timeZone: 'UTC' }] },
      'rules[0].match.timeWindows[0].from',
    ],
    [
      { timeWindows: [{ days: ['funday'], from: '09:00', to: '10:00', timeZone: 'UTC' }] },
      'rules[0].match.timeWindows[0].days[0]',
    ],
    [
      { timeWindows: [{ days: ['mon'], from: '09:00', to: '09:00', timeZone: 'UTC' }] },
      'rules[0].match.timeWindows[0].to',
    ],
    [{ colour: ['red'] }, 'rules[0].match'],
  ])('rejects match %j at %s', (match, path) => {
    const errors = errorsOf(withRules([{ id: 'a', match, action: 'record' }]));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.startsWith(`${path}:`)).toBe(true);
  });

  it('rejects duplicate rule ids', () => {
    const rule = { id: 'same', match: {}, action: 'record' };
    expect(errorsOf(withRules([rule, rule]))).toEqual(['rules[1].id: duplicate rule id "same"']);
  });

  it('requires triggers exactly for record-on-event', () => {
    expect(errorsOf(withRules([{ id: 'a', match: {}, action: 'record-on-event' }]))).toEqual([
      'rules[0].triggers: required for record-on-event',
    ]);
    const triggers = { events: [{ eventType: 'usb.insert' }], preEventMinutes: 5 };
    expect(errorsOf(withRules([{ id: 'a', match: {}, action: 'record', triggers }]))).toEqual([
      'rules[0].triggers: only for record-on-event',
    ]);
  });

  it('bounds capture settings and notice text', () => {
    const capture = {
      frameRate: 60,
      quality: 'high',
      inputCapture: true,
      excludedApplications: [],
    };
    expect(errorsOf(withRules([{ id: 'a', match: {}, action: 'record', capture }]))).toEqual([
      expect.stringMatching(/^rules\[0\]\.capture\.frameRate:/),
    ]);
    const notice = { show: true, text: 'x'.repeat(2001) };
    expect(errorsOf(withRules([{ id: 'a', match: {}, action: 'record', notice }]))).toEqual([
      expect.stringMatching(/^rules\[0\]\.notice\.text:/),
    ]);
  });

  it('rejects prototype-pollution keys', () => {
    const doc = JSON.parse(
      '{"name":"x","defaultAction":{"action":"record"},"rules":[],"__proto__":{"admin":true}}',
    ) as unknown;
    expect(errorsOf(doc)).toEqual(['__proto__: forbidden key']);
  });

  it('rejects deep nesting and huge arrays without walking them all', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 50; i++) deep = { a: deep };
    expect(errorsOf({ ...valid, description: deep })[0]).toMatch(/nested too deeply/);
    const many = Array.from({ length: 501 }, (_, i) => ({
      id: `r${i}`,
      match: {},
      action: 'record',
    }));
    expect(errorsOf(withRules(many))).toEqual([expect.stringMatching(/^rules:/)]);
    expect(errorsOf(withRules(new Array(20_000).fill(0)))).toEqual(['rules: array too long']);
  });

  it('rejects non-objects and wrong types', () => {
    expect(errorsOf('policy')).toEqual([expect.stringMatching(/^\(document\):/)]);
    expect(errorsOf({ ...valid, name: 5 })).toEqual([expect.stringMatching(/^name:/)]);
  });
});
