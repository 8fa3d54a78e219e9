import { randomBytes } from 'node:crypto';

/**
 * A unique, valid NATS namespace / schema / bucket stem for one test suite, e.g.
 * `t_messaging_3fa9c1`. Lower-case so it is valid in all three places.
 */
export function uniqueTestName(suite: string): string {
  const stem = suite
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 20);
  return `t_${stem}_${randomBytes(3).toString('hex')}`;
}
