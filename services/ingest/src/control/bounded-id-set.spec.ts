import { BoundedIdSet } from './bounded-id-set';

describe('BoundedIdSet', () => {
  it('forgets the oldest id beyond its capacity', () => {
    const set = new BoundedIdSet(2);
    set.add('a');
    set.add('b');
    set.add('c');
    expect(set.size).toBe(2);
    expect(set.delete('a')).toBe(false);
    expect(set.delete('b')).toBe(true);
    expect(set.delete('b')).toBe(false);
    expect(set.delete('c')).toBe(true);
  });
});
