// Shared reading and shape checks for the deploy specs: they test the real files in the
// repository, so a broken compose file, chart or Dockerfile fails the unit suite.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SERVICE_PORTS, type ServiceName } from '@sessionrec/config';
import { parse } from 'yaml';

export const ROOT = resolve(__dirname, '..', '..');

/** The six platform services, each a folder services/<name>, as libs/config knows them. */
export { SERVICE_PORTS };
export type AppService = ServiceName;
export const APP_SERVICES = Object.keys(SERVICE_PORTS) as AppService[];

export class DeployFileShapeError extends Error {
  override name = 'DeployFileShapeError';
}

export function repoPath(rel: string): string {
  return join(ROOT, rel);
}

export function repoFileExists(rel: string): boolean {
  return existsSync(repoPath(rel));
}

export function readRepoFile(rel: string): string {
  return readFileSync(repoPath(rel), 'utf8');
}

/** YAML with merge keys (`<<: *anchor`) resolved, as Docker Compose reads it. */
export function readYaml(rel: string): unknown {
  return parse(readRepoFile(rel), { merge: true });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (!isRecord(value)) throw new DeployFileShapeError(`${what} is not a mapping`);
  return value;
}

export function asArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new DeployFileShapeError(`${what} is not a list`);
  return value as unknown[];
}

export function asString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new DeployFileShapeError(`${what} is not a string`);
  return value;
}

/** Follows a dotted path through nested mappings; `found` is false at the first gap. */
export function lookup(root: unknown, path: readonly string[]): { found: boolean; value: unknown } {
  let current: unknown = root;
  for (const key of path) {
    if (!isRecord(current) || !(key in current)) return { found: false, value: undefined };
    current = current[key];
  }
  return { found: true, value: current };
}

/** An image reference's tag, or undefined when it has none (which means `latest`). */
export function imageTag(image: string): string | undefined {
  const withoutDigest = image.split('@')[0] ?? '';
  const lastSlash = withoutDigest.lastIndexOf('/');
  const nameAndTag = withoutDigest.slice(lastSlash + 1);
  const colon = nameAndTag.indexOf(':');
  return colon === -1 ? undefined : nameAndTag.slice(colon + 1);
}
