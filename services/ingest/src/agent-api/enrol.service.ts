/**
 * Enrolment: a one-time token becomes an agent identity and its credential. The token is
 * consumed atomically (two agents racing with one token: exactly one wins) and the
 * credential is returned once; only its SHA-256 is kept.
 */
import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { agentProtocol } from '@sessionrec/contracts';
import { AgentRepository } from '../auth/agent-repository';
import { newCredential, sha256Hex } from '../auth/credentials';
import { AgentUnauthorizedError } from '../http/api-errors';

type EnrolRequest = agentProtocol.EnrolRequest;
type EnrolResponse = agentProtocol.EnrolResponse;

const REFUSALS = {
  unknown: ['token_invalid', 'enrolment token is not valid'],
  used: ['token_used', 'enrolment token was already used'],
  expired: ['token_expired', 'enrolment token has expired'],
} as const;

@Injectable()
export class EnrolService {
  private readonly logger = new Logger(EnrolService.name);

  constructor(private readonly agents: AgentRepository) {}

  async enrol(request: EnrolRequest): Promise<EnrolResponse> {
    const agentId = randomUUID();
    const credential = newCredential(agentId);
    const outcome = await this.agents.enrol(sha256Hex(request.token), {
      id: agentId,
      credentialHash: sha256Hex(credential),
      hostname: request.hostname,
      os: request.os,
      agentVersion: request.agentVersion,
    });
    if (outcome !== 'enrolled') {
      const [code, message] = REFUSALS[outcome];
      throw new AgentUnauthorizedError(message, code);
    }
    this.logger.log(
      `agent ${agentId} enrolled (host ${JSON.stringify(request.hostname.slice(0, 100))})`,
    );
    return { agentId, credential };
  }
}
