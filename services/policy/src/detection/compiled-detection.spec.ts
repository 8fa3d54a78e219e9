import {
  BUILT_IN_DETECTION_OPTIONS,
  EVENT_TYPE_NAMES,
  validateDetectionPolicy,
} from '@sessionrec/contracts';
import { CompiledDetectionPolicy } from './compiled-detection';

const who = { v: 1 as const, user: 'alice', groups: ['dba'], host: 'db-01' };

function compile(doc: unknown): CompiledDetectionPolicy {
  const v = validateDetectionPolicy(doc);
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return CompiledDetectionPolicy.compile(v.document, 2);
}

const doc = {
  name: 'd',
  defaults: { events: ['usb.insert'], options: { idleThresholdSeconds: 600 } },
  rules: [
    { id: 'bob', match: { users: ['bob'] }, events: [] },
    {
      id: 'dbas-on-db',
      match: { groups: ['dba'], hosts: ['db-*'] },
      events: ['command.start', 'privilege.use'],
      options: { captureCommandLines: false },
    },
  ],
};

describe('CompiledDetectionPolicy', () => {
  it('reports every event type with the built-in options before any policy exists', () => {
    expect(CompiledDetectionPolicy.builtInDefault().evaluate(who)).toEqual({
      v: 1,
      policyVersion: 0,
      ruleId: 'built-in-default',
      events: [...EVENT_TYPE_NAMES],
      options: BUILT_IN_DETECTION_OPTIONS,
    });
  });

  it('lets the first matching rule decide and lays its options over the defaults', () => {
    expect(compile(doc).evaluate(who)).toEqual({
      v: 1,
      policyVersion: 2,
      ruleId: 'dbas-on-db',
      events: [
        'session.start',
        'session.end',
        'command.start',
        'privilege.use',
        'recording.start',
        'recording.stop',
        'response.executed',
      ],
      options: {
        ...BUILT_IN_DETECTION_OPTIONS,
        idleThresholdSeconds: 600,
        captureCommandLines: false,
      },
    });
  });

  it('always reports the lifecycle events, even with an empty list', () => {
    const r = compile(doc).evaluate({ ...who, user: 'bob' });
    expect(r.ruleId).toBe('bob');
    expect(r.events).toEqual([
      'session.start',
      'session.end',
      'recording.start',
      'recording.stop',
      'response.executed',
    ]);
  });

  it('falls back to the defaults when no rule matches', () => {
    const r = compile(doc).evaluate({ ...who, host: 'web-01' });
    expect(r.ruleId).toBe('default');
    expect(r.events).toContain('usb.insert');
    expect(r.options.idleThresholdSeconds).toBe(600);
  });
});
