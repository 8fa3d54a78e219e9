import { validateResponseRules } from './response-rules';

const valid = {
  name: 'Responses',
  rules: [
    {
      id: 'usb-burst',
      match: {
        events: [{ eventType: 'usb.insert', attributes: { vendor: 'Kingston*' } }],
        groups: ['contractors-*'],
        outsideHours: [
          {
            days: ['mon', 'tue', 'wed', 'thu', 'fri'],
            from: '08:00',
            to: '18:00',
            timeZone: 'Europe/Berlin',
          },
        ],
      },
      condition: { count: 3, windowSeconds: 600, per: 'user' },
      actions: [
        {
          action: 'notify',
          channel: 'email',
          recipients: ['soc@example.org'],
          message: 'USB burst',
        },
        { action: 'notify', channel: 'webhook', webhook: 'pagerduty' },
        { action: 'lock', message: 'Locked by policy' },
        { action: 'start-recording' },
      ],
      throttleSeconds: 300,
      final: true,
    },
  ],
};

function errorsOf(doc: unknown): string[] {
  const r = validateResponseRules(doc);
  return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
}

function withRule(patch: Record<string, unknown>): unknown {
  return { ...valid, rules: [{ ...valid.rules[0], ...patch }] };
}

describe('validateResponseRules', () => {
  it('accepts a valid document unchanged', () => {
    expect(validateResponseRules(valid)).toEqual({ ok: true, document: valid });
  });

  it.each([
    [{ condition: { count: 3 } }, 'rules[0].condition.windowSeconds: required when count > 1'],
    [{ condition: { count: 0 } }, 'rules[0].condition.count'],
    [{ condition: { count: 2, windowSeconds: 700000 } }, 'rules[0].condition.windowSeconds'],
    [{ throttleSeconds: -1 }, 'rules[0].throttleSeconds'],
    [{ actions: [] }, 'rules[0].actions'],
    [{ actions: [{ action: 'explode' }] }, 'rules[0].actions[0].action'],
    [
      { actions: [{ action: 'notify', channel: 'email' }] },
      'rules[0].actions[0].recipients: required for e-mail',
    ],
    [
      { actions: [{ action: 'notify', channel: 'webhook' }] },
      'rules[0].actions[0].webhook: required for a webhook',
    ],
    [
      { actions: [{ action: 'notify', channel: 'email', recipients: ['not an address'] }] },
      'rules[0].actions[0].recipients[0]',
    ],
    [{ actions: [{ action: 'lock', extra: 1 }] }, 'rules[0].actions[0]'],
    [{ match: { events: [] } }, 'rules[0].match.events'],
    [{ match: { events: [{ eventType: 'usb.melt' }] } }, 'rules[0].match.events[0].eventType'],
    [
      { match: { events: [{ eventType: 'usb.insert', attributes: { vendor: 'a[b' } }] } },
      'rules[0].match.events[0].attributes.vendor',
    ],
    [
      {
        match: {
          events: [{ eventType: 'usb.insert' }],
          outsideHours: [{ days: ['mon'], from: '08:00', to: '18:00', timeZone: 'Mars/Base' }],
        },
      },
      'rules[0].match.outsideHours[0].timeZone: unknown time zone "Mars/Base"',
    ],
  ])('names the bad field of %j', (patch, expected) => {
    const errors = errorsOf(withRule(patch));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.some((e) => e.startsWith(expected))).toBe(true);
  });

  it('refuses duplicate rule ids', () => {
    const doc = { ...valid, rules: [valid.rules[0], valid.rules[0]] };
    expect(errorsOf(doc)).toEqual(['rules[1].id: duplicate rule id "usb-burst"']);
  });

  it('refuses hostile shapes before looking at the schema', () => {
    const polluted = JSON.parse('{"name":"x","rules":[],"constructor":{}}') as unknown;
    expect(errorsOf(polluted)).toEqual(['constructor: forbidden key']);
    let deep: unknown = 'x';
    for (let i = 0; i < 20; i++) deep = { a: deep };
    expect(errorsOf({ name: 'x', rules: [], description: deep })[0]).toMatch(/nested too deeply/);
    const many = {
      ...valid,
      rules: Array.from({ length: 501 }, (_, i) => ({ ...valid.rules[0], id: `r${i}` })),
    };
    expect(errorsOf(many)[0]).toMatch(/^rules: /);
  });
});
