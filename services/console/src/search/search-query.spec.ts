import { describe, expect, it } from '@jest/globals';
import {
  apiSearchParams,
  filtersFromUrl,
  filtersToUrl,
  formatOffset,
  isoToLocalInput,
  localInputToIso,
} from './search-query';

describe('search filters in the URL', () => {
  it('reads known, non-empty filters and ignores the rest', () => {
    const filters = filtersFromUrl(
      new URLSearchParams('user=alice&host=&app=%20Firefox%20&evil=1&event=usb.insert'),
    );
    expect(filters).toEqual({ user: 'alice', app: 'Firefox', event: 'usb.insert' });
  });

  it('round-trips through the URL in a stable order', () => {
    const filters = { q: 'payroll', user: 'bob', to: '2030-05-06T08:00:00.000Z' };
    const url = filtersToUrl(filters).toString();
    expect(url).toBe('user=bob&q=payroll&to=2030-05-06T08%3A00%3A00.000Z');
    expect(filtersFromUrl(new URLSearchParams(url))).toEqual(filters);
  });

  it('adds the cursor and page size for the api', () => {
    expect(apiSearchParams({ host: 'ws-01' }, 'abc', 10)).toBe('host=ws-01&cursor=abc&limit=10');
    expect(apiSearchParams({})).toBe('limit=25');
  });

  it('converts datetime-local values to instants and back', () => {
    const iso = localInputToIso('2030-05-06T07:30');
    expect(iso).toBeDefined();
    expect(isoToLocalInput(iso)).toBe('2030-05-06T07:30');
    expect(localInputToIso('not a time')).toBeUndefined();
    expect(localInputToIso('')).toBeUndefined();
    expect(isoToLocalInput('garbage')).toBe('');
  });

  it('formats offsets as m:ss or h:mm:ss', () => {
    expect(formatOffset(0)).toBe('0:00');
    expect(formatOffset(65_400)).toBe('1:05');
    expect(formatOffset(3_723_000)).toBe('1:02:03');
    expect(formatOffset(-5)).toBe('0:00');
  });
});
