import { redactUrlQuery, redactValue } from './redaction';

describe('redactValue', () => {
  it('censors secret-named keys at any depth and masks URL passwords', () => {
    expect(
      redactValue({
        a: [{ NATS_PASSWORD: 'x', enrolToken: 'y' }],
        b: { c: { d: 'nats://u:pw@host:4222' } },
        tokenless: 1,
      }),
    ).toEqual({
      a: [{ NATS_PASSWORD: '[Redacted]', enrolToken: '[Redacted]' }],
      b: { c: { d: 'nats://u:***@host:4222' } },
      tokenless: '[Redacted]',
    });
  });

  it('leaves class instances to the serializers', () => {
    const date = new Date(0);
    expect(redactValue({ when: date })).toEqual({ when: date });
  });
});

describe('redactUrlQuery', () => {
  it('censors secret-named query parameters only', () => {
    expect(redactUrlQuery('/share?token=abc&from=1')).toBe('/share?token=%5BRedacted%5D&from=1');
    expect(redactUrlQuery('/sessions?user=alice')).toBe('/sessions?user=alice');
    expect(redactUrlQuery('/plain')).toBe('/plain');
  });
});
