/**
 * Each service owns its tables in its own PostgreSQL schema and no service reads another's;
 * this is the one list of those owners and of which service owns which schema.
 */
import { DatabaseConfigError } from './errors';

export const OWNERS = ['ingest', 'policy', 'catalog', 'responder', 'retention', 'api'] as const;
export type Owner = (typeof OWNERS)[number];

/** The schema owner of each service (the indexer builds the catalogue). */
export const OWNER_OF_SERVICE = {
  ingest: 'ingest',
  policy: 'policy',
  indexer: 'catalog',
  responder: 'responder',
  retention: 'retention',
  api: 'api',
} as const satisfies Record<string, Owner>;

export function isOwner(value: unknown): value is Owner {
  return typeof value === 'string' && (OWNERS as readonly string[]).includes(value);
}

export function assertOwner(value: unknown): Owner {
  if (!isOwner(value)) {
    throw new DatabaseConfigError(
      `unknown schema owner ${JSON.stringify(value)}: expected one of ${OWNERS.join(', ')}`,
    );
  }
  return value;
}
