import { describe, expect, it } from '@jest/globals';
import {
  emptyRule,
  errorsByField,
  fieldOf,
  fieldPaths,
  fromDraft,
  moved,
  toDraft,
} from './recording-form';

const document = {
  name: 'Servers',
  description: 'who is recorded on servers',
  defaultAction: { action: 'do-not-record', retentionClass: 'short' },
  rules: [
    {
      id: 'db',
      match: {
        hosts: ['db-*', 'pg-?'],
        timeWindows: [{ days: ['mon'], from: '08:00', to: '18:00', timeZone: 'UTC' }],
      },
      action: 'record',
      notice: { show: true, text: 'This session is recorded.' },
      capture: { frameRate: 5, quality: 'low', inputCapture: false, excludedApplications: [] },
    },
    {
      id: 'usb',
      description: 'only when a stick appears',
      match: { users: ['*'] },
      action: 'record-on-event',
      triggers: { events: [{ eventType: 'usb.insert' }], preEventMinutes: 5 },
      retentionClass: 'long',
    },
  ],
};

describe('recording policy form', () => {
  it('turns a document into fields and back without losing anything', () => {
    const draft = toDraft(document);
    expect(draft.rules.map((r) => r.id)).toEqual(['db', 'usb']);
    expect(draft.rules[0]?.lists.hosts).toBe('db-*, pg-?');
    expect(draft.rules[0]?.notice).toEqual({ show: true, text: 'This session is recorded.' });
    expect(draft.rules[1]?.triggers.map((t) => t.eventType)).toEqual(['usb.insert']);
    expect(draft.rules[0]?.windows[0]?.days).toEqual(['mon']);
    expect(draft.rules[0]?.capture?.quality).toBe('low');
    const back = fromDraft(draft);
    expect(back).toEqual({ document });
  });

  it('reads comma- or line-separated lists, and leaves out empty fields', () => {
    const draft = toDraft({ name: 'x', defaultAction: { action: 'record' }, rules: [] });
    draft.rules.push({
      ...emptyRule('web'),
      lists: { ...emptyRule().lists, hosts: ' web-1,\nweb-2 ,, ', users: '' },
    });
    expect(fromDraft(draft)).toEqual({
      document: {
        name: 'x',
        defaultAction: { action: 'record' },
        rules: [{ id: 'web', match: { hosts: ['web-1', 'web-2'] }, action: 'record' }],
      },
    });
  });

  it('names the trigger attribute that is not name=pattern', () => {
    const draft = toDraft(document);
    draft.rules[1]!.triggers[0]!.attributes = 'vendor=Kingston*, serial';
    const result = fromDraft(draft);
    expect('errors' in result && result.errors.map((e) => e.path)).toEqual([
      'rules[1].triggers.events[0].attributes',
    ]);
    draft.rules[1]!.triggers[0]!.attributes = 'vendor=Kingston*';
    const ok = fromDraft(draft);
    expect(
      'document' in ok && (ok.document.rules as { triggers?: unknown }[])[1]?.triggers,
    ).toEqual({
      events: [{ eventType: 'usb.insert', attributes: { vendor: 'Kingston*' } }],
      preEventMinutes: 5,
    });
  });

  it('writes triggers only for record-on-event rules, and capture only when the rule has its own', () => {
    const draft = toDraft(document);
    draft.rules[1]!.action = 'record';
    draft.rules[0]!.capture = undefined;
    const result = fromDraft(draft);
    const rules = 'document' in result ? (result.document.rules as Record<string, unknown>[]) : [];
    expect(rules[1]?.triggers).toBeUndefined();
    expect(rules[0]?.capture).toBeUndefined();
  });

  it('shows each api error at the field its path falls under', () => {
    const paths = fieldPaths(toDraft(document));
    expect(fieldOf('rules[0].match.hosts[0]', paths)).toBe('rules[0].match.hosts');
    expect(fieldOf('rules[1].triggers.events[0].eventType', paths)).toBe(
      'rules[1].triggers.events[0].eventType',
    );
    expect(fieldOf('rules[1].triggers.events', paths)).toBe('rules[1].triggers.events');
    expect(fieldOf('rules[0].match.timeWindows[0].to', paths)).toBe(
      'rules[0].match.timeWindows[0].to',
    );
    expect(fieldOf('rules[0].capture.frameRate', paths)).toBe('rules[0].capture.frameRate');
    expect(fieldOf('rules[1].id', paths)).toBe('rules[1].id');
    expect(fieldOf('rules[1].notice.text', paths)).toBe('rules[1].notice');
    expect(fieldOf('rules[0].match.printers', paths)).toBe('rules[0].match');
    expect(fieldOf('rules[1]', paths)).toBe('rules[1]');
    expect(fieldOf('rules[10].id', paths)).toBe('');
    expect(fieldOf('defaultAction.notice.text', paths)).toBe('defaultAction.notice');
    expect(fieldOf('defaultAction', paths)).toBe('');
    expect(fieldOf('', paths)).toBe('');
    const grouped = errorsByField(
      [
        { path: 'name', message: 'too short' },
        { path: 'rules[0].match.hosts[1]', message: 'invalid glob' },
        { path: 'rules[0].match.hosts[0]', message: 'invalid glob' },
      ],
      paths,
    );
    expect([...grouped.keys()]).toEqual(['name', 'rules[0].match.hosts']);
    expect(grouped.get('rules[0].match.hosts')).toHaveLength(2);
  });

  it('moves rules up and down, keeping everything else in order', () => {
    expect(moved(['a', 'b', 'c'], 2, 0)).toEqual(['c', 'a', 'b']);
    expect(moved(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(moved(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moved(['a', 'b', 'c'], 2, 3)).toEqual(['a', 'b', 'c']);
  });
});
