/** The entities (tables) of the catalog schema; later issues add theirs here. */
import { SchemaInfo } from '../../shared/schema-info.entity';

export const CATALOG_ENTITIES = [SchemaInfo];
