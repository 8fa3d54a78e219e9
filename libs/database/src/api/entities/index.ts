/** The entities (tables) of the api schema; later issues add theirs here. */
import { SchemaInfo } from '../../shared/schema-info.entity';
import { ApiToken } from './api-token.entity';
import { User } from './user.entity';

export { ApiToken, User };

export const API_ENTITIES = [SchemaInfo, User, ApiToken];
