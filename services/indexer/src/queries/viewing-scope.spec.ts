import { Params } from './sql';
import { viewingCondition } from './viewing-scope';

describe('viewingCondition', () => {
  it('restricts nothing without a scope', () => {
    expect(viewingCondition(undefined, new Params())).toBeUndefined();
  });

  it('shows nothing for an empty scope', () => {
    expect(viewingCondition({ anyOf: [] }, new Params())).toBe('false');
  });

  it('ANDs the fields of an entry, ORs the entries, and passes globs as ILIKE parameters', () => {
    const p = new Params();
    const sql = viewingCondition(
      { anyOf: [{ users: ['kiosk*'], hosts: ['fin-?'] }, { groups: ['finance'] }] },
      p,
    );
    expect(sql).toBe(
      '((s.user_name ILIKE ANY($1::text[]) AND s.host ILIKE ANY($2::text[])) OR ' +
        '(EXISTS (SELECT 1 FROM unnest(s.groups) AS vg(name) WHERE vg.name ILIKE ANY($3::text[]))))',
    );
    expect(p.values).toEqual([['kiosk%'], ['fin-_'], ['finance']]);
  });

  it('escapes SQL wildcards that are text in the glob', () => {
    const p = new Params();
    viewingCondition({ anyOf: [{ applications: ['100%_app'] }] }, p);
    expect(p.values).toEqual([['100\\%\\_app']]);
  });
});
