/**
 * Guards every authenticated /agent/v1 route: the verified agent is put on the request
 * for `@CurrentAgent()`; anything else ends in 401 before a handler runs.
 */
import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
} from '@nestjs/common';
import { AgentAuthService, type AuthenticatedAgent } from './agent-auth.service';

interface AgentRequest {
  headers: Record<string, string | string[] | undefined>;
  agent?: AuthenticatedAgent;
}

@Injectable()
export class AgentAuthGuard implements CanActivate {
  constructor(private readonly auth: AgentAuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AgentRequest>();
    const header = request.headers.authorization;
    request.agent = await this.auth.authenticate(Array.isArray(header) ? undefined : header);
    return true;
  }
}

/** The agent AgentAuthGuard verified. */
export const CurrentAgent = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedAgent => {
    const agent = context.switchToHttp().getRequest<AgentRequest>().agent;
    if (!agent) throw new Error('CurrentAgent used on a route without AgentAuthGuard');
    return agent;
  },
);
