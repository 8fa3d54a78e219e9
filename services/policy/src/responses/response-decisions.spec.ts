import {
  actionParams,
  countReached,
  isThrottled,
  responseIdFor,
  sameRequestKey,
} from './response-decisions';

const t = (s: string) => new Date(`2026-01-05T10:${s}Z`);

describe('countReached', () => {
  const hits = [
    { eventId: 'c', at: t('00:30') },
    { eventId: 'a', at: t('00:10') },
    { eventId: 'b', at: t('00:20') },
  ];

  it('is undefined below the count', () => {
    expect(countReached(hits, 4)).toBeUndefined();
    expect(countReached([], 1)).toBeUndefined();
  });

  it('returns the newest `count` events, oldest first', () => {
    expect(countReached(hits, 3)).toEqual(['a', 'b', 'c']);
    expect(countReached(hits, 2)).toEqual(['b', 'c']);
  });

  it('orders events at the same instant by id, so the result is stable', () => {
    const same = [
      { eventId: 'y', at: t('00:10') },
      { eventId: 'x', at: t('00:10') },
    ];
    expect(countReached(same, 2)).toEqual(['x', 'y']);
  });
});

describe('isThrottled', () => {
  it('never throttles the first request or with a zero limit', () => {
    expect(isThrottled(undefined, t('00:00'), 60)).toBe(false);
    expect(isThrottled(t('00:00'), t('00:00'), 0)).toBe(false);
  });

  it('throttles within the limit and not from its end', () => {
    expect(isThrottled(t('00:00'), t('00:59'), 60)).toBe(true);
    expect(isThrottled(t('00:00'), t('01:00'), 60)).toBe(false);
  });

  it('measures late (out of order) events the same way', () => {
    expect(isThrottled(t('01:00'), t('00:30'), 60)).toBe(true);
    expect(isThrottled(t('05:00'), t('00:30'), 60)).toBe(false);
  });
});

describe('request params and sameness', () => {
  it('flattens settings and joins lists', () => {
    expect(
      actionParams({
        action: 'notify',
        channel: 'email',
        recipients: ['a@example.org', 'b@example.org'],
        message: 'hi',
      }),
    ).toEqual({ channel: 'email', recipients: 'a@example.org,b@example.org', message: 'hi' });
    expect(actionParams({ action: 'lock' })).toEqual({});
  });

  it('treats equal action and settings as the same request, whatever the key order', () => {
    expect(sameRequestKey({ action: 'lock', message: 'x' })).toBe(
      sameRequestKey({ message: 'x', action: 'lock' } as never),
    );
    expect(sameRequestKey({ action: 'lock', message: 'x' })).not.toBe(
      sameRequestKey({ action: 'lock', message: 'y' }),
    );
    expect(sameRequestKey({ action: 'lock' })).not.toBe(sameRequestKey({ action: 'logoff' }));
  });
});

describe('responseIdFor', () => {
  const e1 = '00000000-0000-4000-8000-000000000001';
  const e2 = '00000000-0000-4000-8000-000000000002';

  it('is a valid UUID that depends on rule, action and the set of events', () => {
    const id = responseIdFor('usb', 0, [e1, e2]);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(responseIdFor('usb', 0, [e2, e1])).toBe(id);
    expect(responseIdFor('usb', 1, [e1, e2])).not.toBe(id);
    expect(responseIdFor('usb2', 0, [e1, e2])).not.toBe(id);
    expect(responseIdFor('usb', 0, [e1])).not.toBe(id);
  });
});
