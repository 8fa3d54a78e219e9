/**
 * The platform version recorded in every schema's `schema_info`, so an operator can see
 * which release last migrated a schema. The libs are versioned in lockstep with the platform.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function readVersion(): string {
  // src/ under Jest and dist/ when built both sit one level below package.json.
  const raw: unknown = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
  const version = (raw as { version?: unknown }).version;
  return typeof version === 'string' ? version : '0.0.0';
}

export const PLATFORM_VERSION: string = readVersion();
