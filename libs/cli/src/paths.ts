/** The repository root, found from this file (libs/cli/src or libs/cli/dist), not the cwd. */
import { resolve } from 'node:path';

export function repoRoot(): string {
  return resolve(__dirname, '..', '..', '..');
}
