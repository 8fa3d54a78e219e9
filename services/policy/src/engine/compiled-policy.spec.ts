import {
  type PolicyEvaluateRequest,
  type RecordingPolicyDocument,
  validateRecordingPolicy,
} from '@sessionrec/contracts';
import { CompiledPolicy } from './compiled-policy';

const base: PolicyEvaluateRequest = {
  v: 1,
  sessionId: '00000000-0000-4000-8000-000000000001',
  agentId: '00000000-0000-4000-8000-000000000002',
  user: 'alice',
  groups: ['staff'],
  host: 'web-01.example.org',
  clientAddress: '10.1.2.3',
  protocol: 'desktop',
  application: 'C:\\Program Files\\PuTTY\\putty.exe',
  at: '2026-01-05T10:00:00Z', // a Monday
};

function policy(doc: unknown, version = 3): CompiledPolicy {
  const v = validateRecordingPolicy(doc);
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return CompiledPolicy.compile(v.document, version);
}

function withRule(match: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return policy({
    name: 'p',
    defaultAction: { action: 'do-not-record' },
    rules: [{ id: 'r1', match, action: 'record', ...extra }],
  });
}

function decide(p: CompiledPolicy, q: Partial<PolicyEvaluateRequest> = {}) {
  return p.evaluate({ ...base, ...q });
}

describe('CompiledPolicy', () => {
  it('answers do-not-record with the built-in default before any policy exists', () => {
    expect(CompiledPolicy.builtInDefault().evaluate(base)).toEqual({
      v: 1,
      decision: 'do-not-record',
      ruleId: 'built-in-default',
      policyVersion: 0,
    });
  });

  it('falls back to the explicit default rule and reports the version', () => {
    const p = policy({
      name: 'p',
      defaultAction: { action: 'record', notice: { show: true }, retentionClass: 'standard' },
      rules: [],
    });
    expect(p.evaluate(base)).toEqual({
      v: 1,
      decision: 'record',
      ruleId: 'default',
      policyVersion: 3,
      notice: 'This session is recorded.',
      retentionClass: 'standard',
    });
  });

  it('lets the first matching rule win', () => {
    const p = policy({
      name: 'p',
      defaultAction: { action: 'do-not-record' },
      rules: [
        { id: 'first', match: { users: ['bob'] }, action: 'do-not-record' },
        { id: 'second', match: { users: ['al*'] }, action: 'record' },
        { id: 'third', match: { users: ['*'] }, action: 'do-not-record' },
      ],
    });
    expect(decide(p)).toMatchObject({ ruleId: 'second', decision: 'record' });
    expect(decide(p, { user: 'bob' })).toMatchObject({ ruleId: 'first' });
    expect(decide(p, { user: 'carol' })).toMatchObject({ ruleId: 'third' });
  });

  it('matches users by glob, case-insensitively and anchored', () => {
    const p = withRule({ users: ['adm?n', 'ops-*'] });
    expect(decide(p, { user: 'ADMIN' }).ruleId).toBe('r1');
    expect(decide(p, { user: 'ops-eu' }).ruleId).toBe('r1');
    expect(decide(p, { user: 'xadmin' }).ruleId).toBe('default');
    expect(decide(p, { user: 'admiin' }).ruleId).toBe('default');
  });

  it('escapes regular-expression characters in globs', () => {
    const p = withRule({ hosts: ['web.(1)+'] });
    expect(decide(p, { host: 'web.(1)+' }).ruleId).toBe('r1');
    expect(decide(p, { host: 'webx(1)' }).ruleId).toBe('default');
  });

  it('matches when any group matches any pattern', () => {
    const p = withRule({ groups: ['admins', 'contractors-*'] });
    expect(decide(p, { groups: ['staff', 'contractors-acme'] }).ruleId).toBe('r1');
    expect(decide(p, { groups: ['staff'] }).ruleId).toBe('default');
    expect(decide(p, { groups: [] }).ruleId).toBe('default');
  });

  it('matches hosts and applications; no application means no match', () => {
    const p = withRule({ hosts: ['web-*'], applications: ['*\\putty.exe'] });
    expect(decide(p).ruleId).toBe('r1');
    expect(decide(p, { host: 'db-01' }).ruleId).toBe('default');
    const { application: _omit, ...noApp } = base;
    expect(p.evaluate(noApp).ruleId).toBe('default');
  });

  it('requires every field to match (AND across fields)', () => {
    const p = withRule({ users: ['alice'], hosts: ['db-*'] });
    expect(decide(p).ruleId).toBe('default');
    expect(decide(p, { host: 'db-1' }).ruleId).toBe('r1');
  });

  it('matches IPv4 and IPv6 client networks', () => {
    const p = withRule({ clientNetworks: ['10.0.0.0/8', '2001:db8::/32', '192.168.1.7'] });
    expect(decide(p).ruleId).toBe('r1');
    expect(decide(p, { clientAddress: '11.0.0.1' }).ruleId).toBe('default');
    expect(decide(p, { clientAddress: '2001:db8:1::5' }).ruleId).toBe('r1');
    expect(decide(p, { clientAddress: '2001:db9::5' }).ruleId).toBe('default');
    expect(decide(p, { clientAddress: '192.168.1.7' }).ruleId).toBe('r1');
    const { clientAddress: _omit, ...noAddress } = base;
    expect(p.evaluate(noAddress).ruleId).toBe('default');
  });

  it('evaluates time windows in the window zone', () => {
    const p = withRule({
      timeWindows: [{ days: ['mon'], from: '09:00', to: '17:00', timeZone: 'America/New_York' }],
    });
    // 10:00Z = 05:00 in New York: outside; 15:00Z = 10:00: inside.
    expect(decide(p).ruleId).toBe('default');
    expect(decide(p, { at: '2026-01-05T15:00:00Z' }).ruleId).toBe('r1');
    // Same wall time on a Tuesday: outside.
    expect(decide(p, { at: '2026-01-06T15:00:00Z' }).ruleId).toBe('default');
    // `to` is exclusive.
    expect(decide(p, { at: '2026-01-05T22:00:00Z' }).ruleId).toBe('default');
  });

  it('handles windows that wrap midnight, on the day they start', () => {
    const p = withRule({
      timeWindows: [{ days: ['fri'], from: '22:00', to: '06:00', timeZone: 'UTC' }],
    });
    expect(decide(p, { at: '2026-01-09T23:00:00Z' }).ruleId).toBe('r1'); // Fri 23:00
    expect(decide(p, { at: '2026-01-10T05:59:00Z' }).ruleId).toBe('r1'); // Sat 05:59
    expect(decide(p, { at: '2026-01-10T06:00:00Z' }).ruleId).toBe('default');
    expect(decide(p, { at: '2026-01-08T23:00:00Z' }).ruleId).toBe('default'); // Thu
    expect(decide(p, { at: '2026-01-09T05:00:00Z' }).ruleId).toBe('default'); // Fri early
  });

  it('on a spring-forward day matches only the wall-clock minutes that exist', () => {
    // Europe/Berlin 2026-03-29 (Sunday): 02:00 CET jumps to 03:00 CEST (01:00Z).
    const p = withRule({
      timeWindows: [{ days: ['sun'], from: '01:30', to: '02:30', timeZone: 'Europe/Berlin' }],
    });
    expect(decide(p, { at: '2026-03-29T00:29:00Z' }).ruleId).toBe('default'); // 01:29 CET
    expect(decide(p, { at: '2026-03-29T00:30:00Z' }).ruleId).toBe('r1'); // 01:30 CET
    expect(decide(p, { at: '2026-03-29T00:59:00Z' }).ruleId).toBe('r1'); // 01:59 CET
    expect(decide(p, { at: '2026-03-29T01:00:00Z' }).ruleId).toBe('default'); // 03:00 CEST
    expect(decide(p, { at: '2026-03-29T01:15:00Z' }).ruleId).toBe('default'); // 03:15 CEST
  });

  it('on a fall-back day matches both occurrences of the repeated hour', () => {
    // Europe/Berlin 2026-10-25 (Sunday): 03:00 CEST falls back to 02:00 CET (01:00Z).
    const p = withRule({
      timeWindows: [{ days: ['sun'], from: '02:00', to: '02:30', timeZone: 'Europe/Berlin' }],
    });
    expect(decide(p, { at: '2026-10-25T00:10:00Z' }).ruleId).toBe('r1'); // 02:10 CEST
    expect(decide(p, { at: '2026-10-25T00:40:00Z' }).ruleId).toBe('default'); // 02:40 CEST
    expect(decide(p, { at: '2026-10-25T01:10:00Z' }).ruleId).toBe('r1'); // 02:10 CET
    expect(decide(p, { at: '2026-10-25T01:30:00Z' }).ruleId).toBe('default'); // 02:30 CET
  });

  it('returns notice, capture and triggers of the deciding rule', () => {
    const doc: RecordingPolicyDocument = {
      name: 'p',
      defaultAction: { action: 'do-not-record' },
      rules: [
        {
          id: 'usb',
          match: { users: ['*'] },
          action: 'record-on-event',
          notice: { show: true, text: 'Recorded when USB is used' },
          capture: {
            frameRate: 5,
            quality: 'medium',
            inputCapture: false,
            excludedApplications: ['*keepass*'],
          },
          triggers: { events: [{ eventType: 'usb.insert' }], preEventMinutes: 5 },
        },
      ],
    };
    expect(policy(doc).evaluate(base)).toEqual({
      v: 1,
      decision: 'record-on-event',
      ruleId: 'usb',
      policyVersion: 3,
      notice: 'Recorded when USB is used',
      capture: doc.rules[0]?.capture,
      triggers: doc.rules[0]?.triggers,
    });
  });

  it('omits the notice when the rule says show: false', () => {
    const p = withRule({ users: ['*'] }, { notice: { show: false, text: 'hidden' } });
    expect(decide(p).notice).toBeUndefined();
  });
});
