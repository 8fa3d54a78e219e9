import { changedRuleIds, diffPolicies } from './diff';

const rule = (id: string, extra: Record<string, unknown> = {}) => ({ id, match: {}, ...extra });

describe('diffPolicies', () => {
  it('treats every rule of a first version as added', () => {
    const d = diffPolicies(null, { name: 'a', rules: [rule('x'), rule('y')] });
    expect(d).toEqual({
      added: ['x', 'y'],
      removed: [],
      changed: [],
      reordered: false,
      defaultChanged: false, // response rules have no default
      otherChanged: false,
    });
  });

  it('names added, removed and changed rules, and a new order', () => {
    const before = { name: 'a', rules: [rule('x'), rule('y'), rule('z')] };
    const after = { name: 'a', rules: [rule('z'), rule('y', { final: true }), rule('w')] };
    const d = diffPolicies(before, after);
    expect(d).toMatchObject({ added: ['w'], removed: ['x'], changed: ['y'], reordered: true });
    expect(changedRuleIds(d)).toEqual(['w', 'x', 'y']);
  });

  it('compares the default of either kind and everything else separately', () => {
    const rec = { name: 'a', defaultAction: { action: 'record' }, rules: [] };
    expect(diffPolicies(rec, { ...rec, defaultAction: { action: 'do-not-record' } })).toMatchObject(
      { defaultChanged: true, otherChanged: false },
    );
    const det = { name: 'a', defaults: { events: [] }, rules: [] };
    expect(diffPolicies(det, { ...det, description: 'new' })).toMatchObject({
      defaultChanged: false,
      otherChanged: true,
    });
  });
});
