/** The entities (tables) of the retention schema; later issues add theirs here. */
import { SchemaInfo } from '../../shared/schema-info.entity';

export const RETENTION_ENTITIES = [SchemaInfo];
