/** The entities (tables) of the api schema; later issues add theirs here. */
import { SchemaInfo } from '../../shared/schema-info.entity';

export const API_ENTITIES = [SchemaInfo];
