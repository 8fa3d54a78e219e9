/**
 * Where the built console lives (services/console/dist, written by `npm run build`) and
 * its index.html, read once. The same relative path holds from the api's sources (tests)
 * and from its build (services/api/dist/console).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const CONSOLE_DIST = path.resolve(__dirname, '../../../console/dist');

export interface ConsoleFiles {
  readonly dist: string;
  readonly assets: string;
  /** undefined when the console has not been built. */
  readonly indexHtml: string | undefined;
}

export function loadConsoleFiles(dist = CONSOLE_DIST): ConsoleFiles {
  const index = path.join(dist, 'index.html');
  return {
    dist,
    assets: path.join(dist, 'assets'),
    indexHtml: existsSync(index) ? readFileSync(index, 'utf8') : undefined,
  };
}
