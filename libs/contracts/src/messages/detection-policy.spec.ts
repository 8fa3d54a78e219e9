import { validateDetectionPolicy } from './detection-policy';

const valid = {
  name: 'Detection',
  defaults: {
    events: ['usb.insert', 'file.write.removable'],
    options: { idleThresholdSeconds: 600 },
  },
  rules: [
    {
      id: 'servers',
      match: { hosts: ['db-*'] },
      events: ['command.start', 'privilege.use'],
      options: { captureCommandLines: false, removableMountPoints: ['/media/*'] },
    },
  ],
};

function errorsOf(doc: unknown): string[] {
  const r = validateDetectionPolicy(doc);
  return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
}

describe('validateDetectionPolicy', () => {
  it('accepts a valid document unchanged', () => {
    expect(validateDetectionPolicy(valid)).toEqual({ ok: true, document: valid });
  });

  it.each([
    [{ ...valid, defaults: { events: ['usb.melt'] } }, 'defaults.events[0]'],
    [
      { ...valid, defaults: { events: ['usb.insert', 'usb.insert'] } },
      'defaults.events[1]: duplicate "usb.insert"',
    ],
    [
      { ...valid, defaults: { events: [], options: { idleThresholdSeconds: 5 } } },
      'defaults.options.idleThresholdSeconds',
    ],
    [{ ...valid, rules: [{ id: 'a', match: { hosts: ['x[1]'] } }] }, 'rules[0].match.hosts[0]'],
    [
      { ...valid, rules: [{ id: 'a', match: { clientNetworks: ['10.0.0.0/8'] } }] },
      'rules[0].match',
    ],
    [
      { ...valid, rules: [{ id: 'a', match: {}, options: { removableMountPoints: [''] } }] },
      'rules[0].options.removableMountPoints[0]',
    ],
    [{ name: 'x', rules: [] }, 'defaults'],
  ])('names the bad field (%#)', (doc, expected) => {
    const errors = errorsOf(doc);
    expect(errors.some((e) => e.startsWith(expected))).toBe(true);
  });

  it('refuses pollution keys', () => {
    const polluted = JSON.parse(
      '{"name":"x","defaults":{"events":[]},"rules":[{"id":"a","match":{"__proto__":{}}}]}',
    ) as unknown;
    expect(errorsOf(polluted)).toEqual(['rules[0].match.__proto__: forbidden key']);
  });
});
