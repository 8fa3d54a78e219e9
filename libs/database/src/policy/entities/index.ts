/** The entities (tables) of the policy schema; later issues add theirs here. */
import { SchemaInfo } from '../../shared/schema-info.entity';

export const POLICY_ENTITIES = [SchemaInfo];
