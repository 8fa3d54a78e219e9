import { createHash } from 'node:crypto';
import { HashChain, firstBrokenLink, sha256Hex } from './hash-chain';

describe('HashChain', () => {
  it('links each segment to the previous one, the first to nothing', () => {
    const chain = new HashChain(0);
    const parts = ['init', 'one', 'two'].map((text) => Buffer.from(text));
    const links = parts.map((part) => chain.append(part));
    expect(links.map((link) => link.seq)).toEqual([0, 1, 2]);
    expect(links[0]!.prevSha256).toBeUndefined();
    expect(links[0]!.sha256).toBe(createHash('sha256').update('init').digest('hex'));
    expect(links[1]!.prevSha256).toBe(links[0]!.sha256);
    expect(links[2]!.prevSha256).toBe(links[1]!.sha256);
    expect(chain.length).toBe(3);
    expect(firstBrokenLink(links)).toBeNull();
  });

  it('finds a missing or altered link', () => {
    const chain = new HashChain();
    const links = ['a', 'b', 'c', 'd'].map((text) => chain.append(Buffer.from(text)));
    expect(firstBrokenLink([links[0]!, links[2]!, links[3]!])).toBe(2);
    expect(
      firstBrokenLink([
        links[0]!,
        { ...links[1]!, sha256: sha256Hex(Buffer.from('x')) },
        links[2]!,
      ]),
    ).toBe(2);
  });
});
