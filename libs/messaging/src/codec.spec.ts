import { MESSAGES } from '@sessionrec/contracts';
import { decodeAndValidate, encodeJson, validate } from './codec';
import { SchemaValidationError } from './errors';

const schema = MESSAGES['session.ended'].schema;
const valid = {
  v: 1,
  sessionId: '9a1c3f52-3a55-4a0c-8d1a-6f7f6d1a0b21',
  agentId: '5f4e3d2c-1b0a-4c9d-8e7f-6a5b4c3d2e1f',
  endedAt: '2025-01-01T00:00:00Z',
  reason: 'logout',
};

describe('codec', () => {
  it('round-trips a valid payload', () => {
    expect(decodeAndValidate(schema, encodeJson(valid), 'x')).toEqual({ ok: true, value: valid });
  });

  it('names invalid JSON and invalid UTF-8 as such', () => {
    for (const bytes of [new TextEncoder().encode('{nope'), Uint8Array.from([0xff, 0xfe])]) {
      const r = decodeAndValidate(schema, bytes, 'x');
      expect(r.ok).toBe(false);
      expect(!r.ok && r.reason).toMatch(/^invalid JSON/);
    }
  });

  it('names an unknown schema version', () => {
    const r = decodeAndValidate(schema, encodeJson({ ...valid, v: 3 }), 'message session.ended');
    expect(r).toEqual({ ok: false, reason: 'unknown schema version 3 for message session.ended' });
  });

  it('lists the failing fields of a schema violation', () => {
    const r = decodeAndValidate(schema, encodeJson({ ...valid, sessionId: 'x', extra: 1 }), 'm');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/m failed schema validation: .*sessionId/);
  });

  it('validate throws SchemaValidationError with the zod issues', () => {
    expect(() => validate(schema, { ...valid, reason: '' }, 'message session.ended')).toThrow(
      SchemaValidationError,
    );
    try {
      validate(schema, { ...valid, reason: '' }, 'message session.ended');
    } catch (err) {
      expect((err as SchemaValidationError).issues[0]?.path).toEqual(['reason']);
    }
  });
});
