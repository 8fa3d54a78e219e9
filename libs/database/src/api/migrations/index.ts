/** The api schema's migrations, oldest first: append new ones, never edit released ones. */
import { ApiSchemaInfo1795578831823 } from './1795578831823-schema-info';
import { ApiSignIn1795700000000 } from './1795700000000-sign-in';
import { ApiUserGroups1796400000000 } from './1796400000000-user-groups';
import { ApiShares1796500000000 } from './1796500000000-shares';

export const API_MIGRATIONS = [
  ApiSchemaInfo1795578831823,
  ApiSignIn1795700000000,
  ApiUserGroups1796400000000,
  ApiShares1796500000000,
];
