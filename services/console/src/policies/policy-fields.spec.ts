import { describe, expect, it } from '@jest/globals';
import { errorsBySection, fromSections, sectionOf, toSections } from './policy-fields';

describe('policy editor sections', () => {
  it('files each error under its section', () => {
    expect(sectionOf('rules[2].match.hosts[0]')).toBe('rules[2]');
    expect(sectionOf('name')).toBe('name');
    expect(sectionOf('defaultAction.action')).toBe('defaultAction');
    expect(sectionOf('')).toBe('');
    const map = errorsBySection([
      { path: 'rules[1].action', message: 'bad' },
      { path: 'rules[1].id', message: 'dup' },
      { path: 'name', message: 'empty' },
    ]);
    expect(map.get('rules[1]')?.length).toBe(2);
    expect(map.get('name')?.[0]?.message).toBe('empty');
  });

  it('splits rule lists per entry and joins them back', () => {
    const doc = {
      name: 'x',
      rules: [{ id: 'a' }, { id: 'b' }],
      defaultAction: { action: 'record' },
    };
    const sections = toSections(doc);
    expect(sections.find((s) => s.key === 'rules')?.items).toHaveLength(2);
    expect(fromSections(sections)).toEqual({ document: doc });
  });

  it('reports a section that is not JSON at that section', () => {
    const sections = toSections({ rules: [{ id: 'a' }] });
    sections[0]!.items![0] = '{ id: ';
    const result = fromSections(sections);
    expect('errors' in result && result.errors[0]?.path).toBe('rules[0]');
  });
});
