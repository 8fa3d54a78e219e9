/** The entities (tables) of the ingest schema; later issues add theirs here. */
import { SchemaInfo } from '../../shared/schema-info.entity';

export const INGEST_ENTITIES = [SchemaInfo];
