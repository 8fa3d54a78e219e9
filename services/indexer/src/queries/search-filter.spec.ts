import type { CatalogSearchRequest } from '@sessionrec/contracts';
import { summaryAllows, summaryParts } from './search-filter';
import { Params } from './sql';

function request(q: string): CatalogSearchRequest {
  return { v: 1, limit: 25, q };
}

describe('summaryParts', () => {
  it('gives the words of plain free text', () => {
    expect(summaryParts(request(' ZenWennu '))).toEqual(['ZenWennu']);
    expect(summaryParts(request('report  q3 2026'))).toEqual(['report', 'q3', '2026']);
  });

  it('leaves free text with operators, punctuation or other letters to the events', () => {
    for (const q of ['a or b', 'OR x', '-secret', '"a b"', 'etc/shadow', 'café', 'a\tb']) {
      expect(summaryParts(request(q))).toBeUndefined();
    }
    expect(summaryParts({ v: 1, limit: 25 })).toBeUndefined();
  });
});

describe('summaryAllows', () => {
  it('lets unknown summaries through and needs every part in a known one', () => {
    const p = new Params();
    expect(summaryAllows(['Payroll', 'q3'], p)).toBe(
      '(w.words IS NULL OR (strpos(w.words, lower($1::text)) > 0 AND strpos(w.words, lower($2::text)) > 0))',
    );
    expect(p.values).toEqual(['Payroll', 'q3']);
  });
});
