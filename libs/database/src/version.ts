/**
 * The platform version recorded in every schema's `schema_info`, so an operator can see
 * which release last migrated a schema. The libs are versioned in lockstep with the platform.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function readVersion(): string {
  try {
    // src/ under Jest and dist/ when built both sit one level below package.json.
    const raw: unknown = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
    const version = (raw as { version?: unknown }).version;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    // A label for operators is not worth refusing to start over.
    return 'unknown';
  }
}

export const PLATFORM_VERSION: string = readVersion();
