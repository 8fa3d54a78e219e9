/** The policy schema's migrations, oldest first: append new ones, never edit released ones. */
import { PolicySchemaInfo1795578831823 } from './1795578831823-schema-info';
import { PolicyRecordingPolicy1796100000000 } from './1796100000000-recording-policy';
import { PolicyKindsAndResponses1796300000000 } from './1796300000000-policy-kinds-and-responses';

export const POLICY_MIGRATIONS = [
  PolicySchemaInfo1795578831823,
  PolicyRecordingPolicy1796100000000,
  PolicyKindsAndResponses1796300000000,
];
