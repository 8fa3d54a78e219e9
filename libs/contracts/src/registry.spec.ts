import { randomUUID } from 'node:crypto';
import {
  filterOf,
  MESSAGES,
  type MessageType,
  REQUESTS,
  subjectOf,
  typeOfSubject,
  type MessageOf,
} from './registry';
import { STREAMS } from './streams';
import { fullSubject, relativeSubject, streamName, assertNamespace } from './naming';

const agentId = randomUUID();
const sessionId = randomUUID();

const event: MessageOf<'event'> = {
  v: 1,
  eventId: randomUUID(),
  sessionId,
  agentId,
  type: 'app.focus',
  at: '2026-11-25T10:00:00.000Z',
  offsetMs: 1200,
  attributes: { title: 'Payroll - Excel' },
};

describe('message registry', () => {
  it('puts every message type in a stream that captures its subjects', () => {
    for (const type of Object.keys(MESSAGES) as MessageType[]) {
      const contract = MESSAGES[type];
      const stream = STREAMS[contract.stream];
      const filter = filterOf(type);
      const captured = stream.subjects.some((s) =>
        s.endsWith('.>') ? filter.startsWith(s.slice(0, -1)) : s === filter,
      );
      expect({ type, captured }).toEqual({ type, captured: true });
    }
  });

  it('never lets a stream capture the request/reply subjects', () => {
    for (const r of Object.values(REQUESTS)) {
      for (const s of Object.values(STREAMS).flatMap((d) => d.subjects)) {
        expect(r.subject.startsWith(s.replace(/>$/, ''))).toBe(false);
      }
    }
  });

  it('routes events by type and commands by agent', () => {
    expect(subjectOf('event', event)).toBe('event.app.focus');
    const command: MessageOf<'control.command'> = {
      v: 1,
      commandId: randomUUID(),
      agentId,
      action: 'lock',
      params: {},
      issuedAt: '2026-11-25T10:00:00Z',
      expiresAt: '2026-11-25T10:00:30Z',
      issuedBy: 'admin',
    };
    expect(subjectOf('control.command', command)).toBe(`control.agent.${agentId}`);
    expect(typeOfSubject(`control.agent.${agentId}`)).toBe('control.command');
    expect(typeOfSubject('event.usb.insert')).toBe('event');
    expect(typeOfSubject('segment.stored')).toBe('segment.stored');
    expect(typeOfSubject('segment.stored.extra')).toBeUndefined();
    expect(typeOfSubject('nothing.here')).toBeUndefined();
  });

  it('derives the same de-duplication id for the same fact', () => {
    const a = MESSAGES.event.messageId(event);
    const b = MESSAGES.event.messageId({ ...event, attributes: {} });
    expect(a).toBe(b);
    expect(a).toContain(event.eventId);
  });

  it('rejects unknown versions, unknown fields and hostile values', () => {
    const schema = MESSAGES.event.schema;
    expect(schema.safeParse(event).success).toBe(true);
    expect(schema.safeParse({ ...event, v: 2 }).success).toBe(false);
    expect(schema.safeParse({ ...event, extra: 1 }).success).toBe(false);
    expect(schema.safeParse({ ...event, type: 'rm -rf' }).success).toBe(false);
    expect(schema.safeParse({ ...event, offsetMs: -1 }).success).toBe(false);
    expect(schema.safeParse({ ...event, at: 'yesterday' }).success).toBe(false);
    expect(schema.safeParse({ ...event, sessionId: "1' OR 1=1" }).success).toBe(false);
    expect(schema.safeParse({ ...event, attributes: { huge: 'x'.repeat(10_000) } }).success).toBe(
      false,
    );
    expect(schema.safeParse({ ...event, attributes: { nested: { a: 1 } } }).success).toBe(false);
  });

  it('rejects an agent id that would change the subject', () => {
    const contract = MESSAGES['control.command'];
    const parsed = contract.schema.safeParse({
      v: 1,
      commandId: randomUUID(),
      agentId: 'a.>',
      action: 'lock',
      params: {},
      issuedAt: '2026-11-25T10:00:00Z',
      expiresAt: '2026-11-25T10:00:30Z',
      issuedBy: 'admin',
    });
    expect(parsed.success).toBe(false);
  });
});

describe('naming', () => {
  it('prefixes subjects and streams with the namespace', () => {
    expect(fullSubject('sessionrec', 'segment.stored')).toBe('sessionrec.segment.stored');
    expect(relativeSubject('sessionrec', 'sessionrec.event.app.focus')).toBe('event.app.focus');
    expect(relativeSubject('sessionrec', 'other.event')).toBeUndefined();
    expect(streamName('t_suite-1', 'EVENTS')).toBe('T_SUITE_1_EVENTS');
  });

  it('refuses namespaces that are not one subject token', () => {
    for (const bad of ['', 'a.b', 'A', '*', '>', 'has space', '1abc', 'x'.repeat(41)]) {
      expect(() => assertNamespace(bad)).toThrow(/Invalid namespace/);
    }
    expect(assertNamespace('sessionrec')).toBe('sessionrec');
  });
});
