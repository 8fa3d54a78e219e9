/** The entities (tables) of the responder schema; later issues add theirs here. */
import { SchemaInfo } from '../../shared/schema-info.entity';

export const RESPONDER_ENTITIES = [SchemaInfo];
