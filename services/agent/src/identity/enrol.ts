/**
 * Enrolment: trade a one-time token for an agent id and credential, and keep them.
 * The credential is never printed or logged.
 */
import os from 'node:os';
import { agentProtocol } from '@sessionrec/contracts';
import { IngestClient, IngestRejectedError, normaliseIngestUrl } from '../http/ingest-client';
import { type StoredIdentity, loadIdentity, saveIdentity } from './identity-store';

export const AGENT_VERSION = '0.1.0';

export interface EnrolOptions {
  readonly ingest: string;
  readonly token: string;
  readonly stateDir: string;
  readonly hostname?: string;
}

export class EnrolmentError extends Error {
  override readonly name = 'EnrolmentError';
}

export async function enrol(options: EnrolOptions): Promise<StoredIdentity> {
  const request = agentProtocol.enrolRequest.parse({
    token: options.token,
    hostname: options.hostname ?? os.hostname(),
    os: `${os.type()} ${os.release()}`.slice(0, 128),
    agentVersion: AGENT_VERSION,
  });
  const outcome = await new IngestClient(options.ingest).send({
    method: 'POST',
    path: '/enrol',
    json: request,
  });
  if (outcome.kind === 'rejected') {
    throw new IngestRejectedError(
      outcome.status,
      outcome.code,
      `enrolment refused: ${outcome.reason}`,
    );
  }
  if (outcome.kind === 'retry') {
    throw new EnrolmentError(`ingest is unavailable for enrolment (${outcome.reason}); try again`);
  }
  const response = agentProtocol.enrolResponse.safeParse(outcome.body);
  if (!response.success) throw new EnrolmentError('ingest answered enrolment with an invalid body');
  const identity: StoredIdentity = {
    ...response.data,
    ingest: normaliseIngestUrl(options.ingest).toString(),
    enrolledAt: new Date().toISOString(),
  };
  await saveIdentity(options.stateDir, identity);
  return identity;
}

/**
 * The stored identity when there is one for this ingest, otherwise a fresh enrolment
 * (which needs a token).
 */
export async function ensureIdentity(
  options: Omit<EnrolOptions, 'token'> & { token?: string },
): Promise<{
  identity: StoredIdentity;
  enrolled: boolean;
}> {
  const stored = await loadIdentity(options.stateDir);
  if (stored && stored.ingest === normaliseIngestUrl(options.ingest).toString()) {
    return { identity: stored, enrolled: false };
  }
  if (!options.token) {
    throw new EnrolmentError(
      `no identity for ${options.ingest} in ${options.stateDir}: pass --token to enrol`,
    );
  }
  return { identity: await enrol({ ...options, token: options.token }), enrolled: true };
}
