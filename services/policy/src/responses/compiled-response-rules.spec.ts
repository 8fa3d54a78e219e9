import { type ResponseRulesDocument, validateResponseRules } from '@sessionrec/contracts';
import { CompiledResponseRules, type EventFacts } from './compiled-response-rules';

function compile(doc: unknown): CompiledResponseRules {
  const v = validateResponseRules(doc);
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return CompiledResponseRules.compile(v.document, 4);
}

const usb: EventFacts = {
  type: 'usb.insert',
  at: '2026-01-05T10:00:00Z', // Monday 11:00 in Berlin
  attributes: { vendor: 'Kingston', size: 64, removable: true, serial: null },
};
const alice = { user: 'alice', groups: ['staff', 'contractors-acme'], host: 'web-01' };

function rules(...list: Record<string, unknown>[]): ResponseRulesDocument {
  return {
    name: 'r',
    rules: list.map((r, i) => ({
      id: `r${i + 1}`,
      match: { events: [{ eventType: 'usb.insert' }] },
      actions: [{ action: 'lock' }],
      ...r,
    })),
  };
}

function ids(c: CompiledResponseRules, e: EventFacts = usb, s = alice): string[] {
  return c.matching(e, s).map((r) => r.id);
}

describe('CompiledResponseRules', () => {
  it('matches by event type, any of the listed events', () => {
    const c = compile(
      rules(
        { match: { events: [{ eventType: 'usb.remove' }, { eventType: 'usb.insert' }] } },
        { match: { events: [{ eventType: 'clipboard.use' }] } },
      ),
    );
    expect(ids(c)).toEqual(['r1']);
    expect(ids(c, { ...usb, type: 'clipboard.use' })).toEqual(['r2']);
    expect(ids(c, { ...usb, type: 'app.start' })).toEqual([]);
  });

  it('matches attribute globs case-insensitively; numbers and booleans as text', () => {
    const c = compile(
      rules(
        { match: { events: [{ eventType: 'usb.insert', attributes: { vendor: 'king*' } }] } },
        { match: { events: [{ eventType: 'usb.insert', attributes: { size: '6?' } }] } },
        { match: { events: [{ eventType: 'usb.insert', attributes: { removable: 'true' } }] } },
        { match: { events: [{ eventType: 'usb.insert', attributes: { vendor: 'SanDisk' } }] } },
      ),
    );
    expect(ids(c)).toEqual(['r1', 'r2', 'r3']);
  });

  it('never matches a missing or null attribute, even with *', () => {
    const c = compile(
      rules(
        { match: { events: [{ eventType: 'usb.insert', attributes: { serial: '*' } }] } },
        { match: { events: [{ eventType: 'usb.insert', attributes: { model: '*' } }] } },
        { match: { events: [{ eventType: 'usb.insert', attributes: { toString: '*' } }] } },
      ),
    );
    expect(ids(c)).toEqual([]);
  });

  it('matches users, groups and hosts of the session (AND across fields)', () => {
    const c = compile(
      rules(
        { match: { events: [{ eventType: 'usb.insert' }], groups: ['contractors-*'] } },
        { match: { events: [{ eventType: 'usb.insert' }], users: ['bob'] } },
        { match: { events: [{ eventType: 'usb.insert' }], users: ['al*'], hosts: ['db-*'] } },
        { match: { events: [{ eventType: 'usb.insert' }], hosts: ['WEB-??'] } },
      ),
    );
    expect(ids(c)).toEqual(['r1', 'r4']);
    expect(c.rules.map((r) => r.needsSession)).toEqual([true, true, true, true]);
  });

  it('does not match scoped rules without session facts, but still unscoped ones', () => {
    const c = compile(
      rules({}, { match: { events: [{ eventType: 'usb.insert' }], users: ['*'] } }),
    );
    expect(c.matching(usb, undefined).map((r) => r.id)).toEqual(['r1']);
    expect(c.candidates(usb).map((r) => r.id)).toEqual(['r1', 'r2']);
  });

  it('a per-user count needs the session even without a scope', () => {
    const c = compile(rules({ condition: { count: 2, windowSeconds: 60, per: 'user' } }));
    expect(c.rules[0]?.needsSession).toBe(true);
  });

  it('keeps document order and stops after the first final rule that matches', () => {
    const c = compile(
      rules(
        {},
        { match: { events: [{ eventType: 'clipboard.use' }] }, final: true },
        { final: true },
        {},
      ),
    );
    expect(ids(c)).toEqual(['r1', 'r3']);
  });

  it('skips disabled rules', () => {
    const c = compile(rules({ enabled: false }, {}));
    expect(ids(c)).toEqual(['r2']);
  });

  it('outside hours: matches only outside every window, in the window zone', () => {
    const c = compile(
      rules({
        match: {
          events: [{ eventType: 'usb.insert' }],
          outsideHours: [
            {
              days: ['mon', 'tue', 'wed', 'thu', 'fri'],
              from: '08:00',
              to: '18:00',
              timeZone: 'Europe/Berlin',
            },
          ],
        },
      }),
    );
    expect(ids(c)).toEqual([]); // Monday 11:00 Berlin: working hours
    expect(ids(c, { ...usb, at: '2026-01-05T06:59:00Z' })).toEqual(['r1']); // 07:59
    expect(ids(c, { ...usb, at: '2026-01-05T07:00:00Z' })).toEqual([]); // 08:00
    expect(ids(c, { ...usb, at: '2026-01-05T17:00:00Z' })).toEqual(['r1']); // 18:00
    expect(ids(c, { ...usb, at: '2026-01-10T10:00:00Z' })).toEqual(['r1']); // Saturday
  });

  it('outside hours across a spring-forward change (Europe/Berlin, 2026-03-29)', () => {
    // A Sunday night shift 01:00-03:00 local; 02:00-03:00 does not exist that night.
    const c = compile(
      rules({
        match: {
          events: [{ eventType: 'usb.insert' }],
          outsideHours: [{ days: ['sun'], from: '01:00', to: '03:00', timeZone: 'Europe/Berlin' }],
        },
      }),
    );
    expect(ids(c, { ...usb, at: '2026-03-28T23:59:00Z' })).toEqual(['r1']); // 00:59 CET
    expect(ids(c, { ...usb, at: '2026-03-29T00:30:00Z' })).toEqual([]); // 01:30 CET
    // 01:00Z is 03:00 CEST: the shift is over after one real hour.
    expect(ids(c, { ...usb, at: '2026-03-29T01:00:00Z' })).toEqual(['r1']);
  });

  it('inside time windows on a fall-back day match both repeated hours', () => {
    // Europe/Berlin 2026-10-25: 02:00-03:00 local happens twice (00:00Z and 01:00Z).
    const c = compile(
      rules({
        match: {
          events: [{ eventType: 'usb.insert' }],
          timeWindows: [{ days: ['sun'], from: '02:00', to: '03:00', timeZone: 'Europe/Berlin' }],
        },
      }),
    );
    expect(ids(c, { ...usb, at: '2026-10-24T23:59:00Z' })).toEqual([]); // 01:59 CEST
    expect(ids(c, { ...usb, at: '2026-10-25T00:30:00Z' })).toEqual(['r1']); // 02:30 CEST
    expect(ids(c, { ...usb, at: '2026-10-25T01:30:00Z' })).toEqual(['r1']); // 02:30 CET
    expect(ids(c, { ...usb, at: '2026-10-25T02:00:00Z' })).toEqual([]); // 03:00 CET
  });

  it('defaults: count 1 per session, throttle 60 s', () => {
    const [rule] = compile(rules({})).rules;
    expect(rule).toMatchObject({ count: 1, per: 'session', throttleSeconds: 60, final: false });
  });
});
