/** The README is a newcomer's guide: its configuration table must match what services read. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { envTableMarkdown } from '@sessionrec/config';

const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

describe('README', () => {
  it('shows the two commands a newcomer runs', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });

  it('lists exactly the environment variables the platform reads', () => {
    const match = /<!-- env-table[^>]*-->\n([\s\S]*?)\n<!-- \/env-table -->/.exec(readme);
    expect(cells(match?.[1] ?? '')).toEqual(cells(envTableMarkdown()));
  });

  it('links only to docs that exist', () => {
    const links = [...readme.matchAll(/\]\((docs\/[^)#]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) {
      expect({ link, exists: existsRel(link) }).toEqual({ link, exists: true });
    }
  });
});

/** Table cells without the padding Prettier adds to align columns. */
function cells(table: string): string[][] {
  return table
    .trim()
    .split('\n')
    .map((line) =>
      line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((cell) => cell.trim().replace(/^-+$/, '---')),
    );
}

function existsRel(rel: string): boolean {
  try {
    readFileSync(path.join(__dirname, '..', '..', rel));
    return true;
  } catch {
    return false;
  }
}
