/**
 * Which entities and migrations belong to which owner: the data source of a service and
 * the migration runner both start here, so adding a table is one edit in the owner's folder.
 */
import { type MixedList } from 'typeorm';
import { API_ENTITIES } from './api/entities';
import { API_MIGRATIONS } from './api/migrations';
import { CATALOG_ENTITIES } from './catalog/entities';
import { CATALOG_MIGRATIONS } from './catalog/migrations';
import { INGEST_ENTITIES } from './ingest/entities';
import { INGEST_MIGRATIONS } from './ingest/migrations';
import { type Owner } from './owners';
import { POLICY_ENTITIES } from './policy/entities';
import { POLICY_MIGRATIONS } from './policy/migrations';
import { RESPONDER_ENTITIES } from './responder/entities';
import { RESPONDER_MIGRATIONS } from './responder/migrations';
import { RETENTION_ENTITIES } from './retention/entities';
import { RETENTION_MIGRATIONS } from './retention/migrations';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Constructor = Function;

export interface OwnerRegistration {
  readonly owner: Owner;
  readonly entities: readonly Constructor[];
  readonly migrations: readonly Constructor[];
}

export const OWNER_REGISTRY: Readonly<Record<Owner, OwnerRegistration>> = {
  ingest: { owner: 'ingest', entities: INGEST_ENTITIES, migrations: INGEST_MIGRATIONS },
  policy: { owner: 'policy', entities: POLICY_ENTITIES, migrations: POLICY_MIGRATIONS },
  catalog: { owner: 'catalog', entities: CATALOG_ENTITIES, migrations: CATALOG_MIGRATIONS },
  responder: {
    owner: 'responder',
    entities: RESPONDER_ENTITIES,
    migrations: RESPONDER_MIGRATIONS,
  },
  retention: {
    owner: 'retention',
    entities: RETENTION_ENTITIES,
    migrations: RETENTION_MIGRATIONS,
  },
  api: { owner: 'api', entities: API_ENTITIES, migrations: API_MIGRATIONS },
};

/** For TypeORM's options, which take mutable lists. */
export function entitiesOf(owner: Owner): MixedList<Constructor> {
  return [...OWNER_REGISTRY[owner].entities];
}

export function migrationsOf(owner: Owner): MixedList<Constructor> {
  return [...OWNER_REGISTRY[owner].migrations];
}
