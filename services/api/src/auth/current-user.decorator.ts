/** Hands a handler the signed-in user the guard attached to the request. */
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { UnauthorizedError } from '../http/api-errors';
import type { Principal } from './roles';

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new UnauthorizedError();
  return principal;
});
