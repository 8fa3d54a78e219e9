/**
 * The global sign-in guard: every route answers 401 unless it is on the explicit @Public()
 * allow-list or is an operational route of the platform (health, metrics), or the request
 * carries a valid token, as `Authorization: Bearer <token>` or the console's cookie.
 */
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { OPERATIONAL_ROUTES } from '@sessionrec/telemetry';
import { UnauthorizedError } from '../http/api-errors';
import { AuthService } from './auth.service';
import { readCookie, SESSION_COOKIE } from './cookies';
import type { AuthenticatedRequest } from './current-user.decorator';
import { IS_PUBLIC } from './public.decorator';

const OPERATIONAL = new Set(OPERATIONAL_ROUTES.map((route) => `/${route}`));

/** The token a request presents: the Authorization header wins over the cookie. */
export function presentedToken(request: AuthenticatedRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer +(\S+)\s*$/i.exec(header);
    return match?.[1];
  }
  return readCookie(request.headers.cookie, SESSION_COOKIE);
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (OPERATIONAL.has(request.routeOptions.url ?? '')) return true;
    const token = presentedToken(request);
    if (!token) throw new UnauthorizedError();
    const principal = await this.auth.authenticate(token);
    if (!principal) throw new UnauthorizedError('the token is invalid, expired or revoked');
    request.principal = principal;
    return true;
  }
}
