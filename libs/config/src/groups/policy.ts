/**
 * Settings of whoever asks the policy service for a decision (ingest, later the agents'
 * gateway): how long to wait and what to decide when it cannot answer. Defined here so
 * the README's one table lists them.
 */
import { z } from 'zod';
import { defaultVar, envInteger } from '../env-var';

export const policyEnv = z.object({
  POLICY_FAILURE_MODE: defaultVar(z.enum(['record', 'do-not-record']), 'do-not-record', {
    description:
      'Decision used by askers when the policy service does not answer in time (record or do-not-record)',
  }),
  POLICY_EVALUATE_TIMEOUT_MS: defaultVar(envInteger(10, 60_000), '500', {
    description: 'How long an asker waits for a policy decision before applying the failure mode',
  }),
});

export type PolicyEnv = z.output<typeof policyEnv>;
