import { catalogSearchRequestV1, type RequestOf } from '@sessionrec/contracts';
import { resultSetCountable } from './search-candidates';

function request(filters: Partial<RequestOf<'catalog.search'>>) {
  return catalogSearchRequestV1.parse({ v: 1, limit: 25, ...filters });
}

describe('resultSetCountable', () => {
  it('counts the result set unless PostgreSQL expected a broad search the summaries do not decide', () => {
    const expected = { kind: 'probe', expected: true } as const;
    expect(resultSetCountable(request({ q: 'LibreOffice Calc' }), expected)).toBe(false);
    expect(resultSetCountable(request({ app: 'code', q: 'restart' }), expected)).toBe(false);
    // One plain word and nothing else at event level: counted from the summaries.
    expect(resultSetCountable(request({ q: 'restart' }), expected)).toBe(true);
    expect(resultSetCountable(request({ user: 'alice', q: 'restart' }), expected)).toBe(true);
    // Found broad by listing, or not broad at all: counted as before.
    const listed = { kind: 'probe', expected: false } as const;
    expect(resultSetCountable(request({ q: 'LibreOffice Calc' }), listed)).toBe(true);
    expect(resultSetCountable(request({ q: 'x' }), { kind: 'ids', ids: [] })).toBe(true);
    expect(resultSetCountable(request({}), { kind: 'all' })).toBe(true);
  });
});
