import { describe, expect, it } from '@jest/globals';
import { detectionFieldPaths, fromDetectionDraft, toDetectionDraft } from './detection-form';
import { fieldOf } from './form-model';
import {
  emptyResponseRule,
  fromResponsesDraft,
  responsesFieldPaths,
  toResponsesDraft,
} from './responses-form';
import { fromViewingDraft, toViewingDraft, viewingFieldPaths } from './viewing-form';

describe('detection policy form', () => {
  const document = {
    name: 'Servers',
    defaults: {
      events: ['session.start', 'command.start', 'usb.insert'],
      options: { idleThresholdSeconds: 600, captureWindowTitles: false },
    },
    rules: [
      {
        id: 'db',
        match: { hosts: ['db-*'] },
        events: ['privilege.use'],
        options: { removableMountPoints: ['/media/*'], captureCommandLines: true },
      },
      { id: 'quiet', description: 'kiosks', match: { groups: ['kiosk'] } },
    ],
  };

  it('turns a document into fields and back without losing anything', () => {
    const draft = toDetectionDraft(document);
    expect(draft.options.idleThresholdSeconds).toBe('600');
    expect(draft.options.captureWindowTitles).toBe('no');
    expect(draft.options.captureCommandLines).toBe('');
    expect(draft.rules[0]?.ownEvents).toBe(true);
    expect(draft.rules[1]?.ownEvents).toBe(false);
    expect(fromDetectionDraft(draft)).toEqual({ document });
  });

  it('writes event types in the order of the event list, and leaves unset options out', () => {
    const draft = toDetectionDraft(document);
    draft.events = ['usb.insert', 'session.start'];
    draft.options.idleThresholdSeconds = '';
    draft.options.captureWindowTitles = '';
    const built = fromDetectionDraft(draft);
    expect('document' in built && built.document.defaults).toEqual({
      events: ['session.start', 'usb.insert'],
    });
  });

  it('hands a number field that is not a number to the api as typed (it names the field)', () => {
    const draft = toDetectionDraft(document);
    draft.rules[1]!.options.idleThresholdSeconds = 'ten';
    const built = fromDetectionDraft(draft);
    const rules = 'document' in built ? (built.document.rules as Record<string, unknown>[]) : [];
    expect(rules[1]?.options).toEqual({ idleThresholdSeconds: 'ten' });
  });

  it('shows api errors at their fields', () => {
    const paths = detectionFieldPaths(toDetectionDraft(document));
    expect(fieldOf('defaults.events[1]', paths)).toBe('defaults.events');
    expect(fieldOf('defaults.options.idleThresholdSeconds', paths)).toBe(
      'defaults.options.idleThresholdSeconds',
    );
    expect(fieldOf('rules[0].match.hosts[0]', paths)).toBe('rules[0].match.hosts');
    expect(fieldOf('rules[1].options.networkMountPoints[2]', paths)).toBe(
      'rules[1].options.networkMountPoints',
    );
    expect(fieldOf('rules[0].match.printers', paths)).toBe('rules[0].match');
    expect(fieldOf('defaults.extra', paths)).toBe('defaults');
  });
});

describe('response rules form', () => {
  const document = {
    name: 'Alerts',
    description: 'who is told what',
    rules: [
      {
        id: 'usb-lock',
        enabled: true,
        match: {
          events: [{ eventType: 'usb.insert', attributes: { vendor: 'Kingston*' } }],
          hosts: ['pos-*'],
          outsideHours: [
            { days: ['mon', 'tue'], from: '08:00', to: '18:00', timeZone: 'Europe/Paris' },
          ],
        },
        condition: { count: 3, windowSeconds: 60, per: 'user' },
        actions: [
          { action: 'lock', message: 'Locked: USB storage is not allowed.' },
          { action: 'notify', channel: 'email', recipients: ['soc@example.com'] },
          { action: 'notify', channel: 'webhook', webhook: 'siem' },
        ],
        throttleSeconds: 300,
        final: true,
      },
      {
        id: 'sudo',
        match: { events: [{ eventType: 'privilege.use' }] },
        actions: [{ action: 'start-recording', reason: 'privilege use' }],
      },
    ],
  };

  it('turns a document into fields and back without losing anything', () => {
    const draft = toResponsesDraft(document);
    expect(draft.rules[0]?.events[0]?.attributes).toBe('vendor=Kingston*');
    expect(draft.rules[0]?.outsideHours[0]?.days).toEqual(['mon', 'tue']);
    expect(draft.rules[0]?.actions.map((a) => a.action)).toEqual(['lock', 'notify', 'notify']);
    expect(fromResponsesDraft(draft)).toEqual({ document });
  });

  it("writes only the chosen action's fields, and enabled/final only when they say something", () => {
    const draft = toResponsesDraft({ name: 'x', rules: [] });
    const rule = emptyResponseRule();
    rule.id = 'r';
    rule.actions[0] = { ...rule.actions[0]!, action: 'notify', channel: 'webhook' };
    rule.actions[0].recipients = 'left@over.example';
    rule.actions[0].webhook = 'siem';
    draft.rules.push(rule);
    expect(fromResponsesDraft(draft)).toEqual({
      document: {
        name: 'x',
        rules: [
          {
            id: 'r',
            match: { events: [{ eventType: 'usb.insert' }] },
            actions: [{ action: 'notify', channel: 'webhook', webhook: 'siem' }],
          },
        ],
      },
    });
    draft.rules[0]!.enabled = false;
    const built = fromResponsesDraft(draft);
    expect(
      'document' in built && (built.document.rules as { enabled?: boolean }[])[0]?.enabled,
    ).toBe(false);
  });

  it('names an attribute that is not name=pattern, and shows api errors at their fields', () => {
    const draft = toResponsesDraft(document);
    draft.rules[1]!.events[0]!.attributes = 'vendor';
    const built = fromResponsesDraft(draft);
    expect('errors' in built && built.errors.map((e) => e.path)).toEqual([
      'rules[1].match.events[0].attributes',
    ]);
    const paths = responsesFieldPaths(draft);
    expect(fieldOf('rules[0].actions[1].recipients[0]', paths)).toBe(
      'rules[0].actions[1].recipients',
    );
    expect(fieldOf('rules[0].condition.windowSeconds', paths)).toBe(
      'rules[0].condition.windowSeconds',
    );
    expect(fieldOf('rules[0].match.outsideHours[0].timeZone', paths)).toBe(
      'rules[0].match.outsideHours[0].timeZone',
    );
    expect(fieldOf('rules[1].match.events', paths)).toBe('rules[1].match.events');
    expect(fieldOf('rules[1].actions', paths)).toBe('rules[1].actions');
    expect(fieldOf('rules[1].match.timeWindows', paths)).toBe('rules[1].match.timeWindows');
  });
});

describe('viewing policy form', () => {
  const document = {
    name: 'Who watches',
    rules: [
      {
        id: 'helpdesk-branch',
        viewers: { roles: ['helpdesk'], groups: ['branch-*'] },
        recordings: { hosts: ['branch-*'], applications: ['pos'] },
      },
      { id: 'auditors', viewers: { users: ['alice'] }, recordings: {} },
    ],
  };

  it('turns a document into fields and back without losing anything', () => {
    const draft = toViewingDraft(document);
    expect(draft.rules[0]?.roles).toEqual(['helpdesk']);
    expect(draft.rules[0]?.recordings.hosts).toBe('branch-*');
    expect(fromViewingDraft(draft)).toEqual({ document });
  });

  it('writes roles in their usual order and shows api errors at their fields', () => {
    const draft = toViewingDraft(document);
    draft.rules[0]!.roles = ['auditor', 'admin'];
    const built = fromViewingDraft(draft);
    expect(
      'document' in built &&
        (built.document.rules as { viewers: { roles?: string[] } }[])[0]?.viewers.roles,
    ).toEqual(['admin', 'auditor']);
    const paths = viewingFieldPaths(draft);
    expect(fieldOf('rules[1].viewers', paths)).toBe('rules[1].viewers');
    expect(fieldOf('rules[0].viewers.roles[0]', paths)).toBe('rules[0].viewers.roles');
    expect(fieldOf('rules[0].recordings.hosts[0]', paths)).toBe('rules[0].recordings.hosts');
    expect(fieldOf('rules[0].recordings.printers', paths)).toBe('rules[0].recordings');
  });
});
