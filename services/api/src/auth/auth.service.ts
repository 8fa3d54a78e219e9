/**
 * Sign-in: checks a password against its argon2id hash (refusing guessers), issues a
 * random bearer token stored only as its SHA-256, resolves a presented token to the
 * signed-in user, and revokes tokens on sign-out. Every outcome of a sign-in is audited.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { TooManyRequestsError, UnauthorizedError } from '../http/api-errors';
import { LoginLimiter } from './login-limiter';
import type { Principal, Role } from './roles';
import {
  hashToken,
  isWellFormedToken,
  newToken,
  verifyAgainstDummy,
  verifyPassword,
} from './secrets';
import { UsersRepository } from './users.repository';

export interface LoginResult {
  readonly token: string;
  readonly expiresAt: Date;
  readonly user: { id: string; username: string; roles: Role[] };
}

/** last_used_at is refreshed at most this often per token: reads stay reads. */
const TOUCH_INTERVAL_MS = 60_000;

@Injectable()
export class AuthService {
  private readonly logger = new Logger('Auth');
  private readonly limiter: LoginLimiter;

  constructor(
    private readonly users: UsersRepository,
    private readonly audit: AuditService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {
    this.limiter = new LoginLimiter({
      maxFailures: config.API_LOGIN_MAX_FAILURES,
      windowMs: config.API_LOGIN_WINDOW_SECONDS * 1000,
    });
  }

  get sessionTtlMs(): number {
    return this.config.API_SESSION_TTL_MINUTES * 60_000;
  }

  async login(username: string, password: string, address: string): Promise<LoginResult> {
    const waitMs = this.limiter.retryAfterMs(username, address);
    if (waitMs > 0) {
      await this.audit.record({
        action: 'auth.login-failed',
        actor: { type: 'user', id: username },
        target: { type: 'user', id: username },
        details: { address, reason: 'rate-limited' },
      });
      throw new TooManyRequestsError(
        'too many failed sign-ins; try again later',
        Math.ceil(waitMs / 1000),
      );
    }
    const user = await this.users.findByUsername(username);
    let ok = false;
    if (user) ok = await verifyPassword(user.password_hash, password);
    else await verifyAgainstDummy(password);
    if (!user || !ok || user.disabled_at) {
      this.limiter.recordFailure(username, address);
      await this.audit.record({
        action: 'auth.login-failed',
        actor: { type: 'user', id: user?.id ?? username, name: username },
        target: { type: 'user', id: user?.id ?? username },
        details: {
          address,
          reason: !user ? 'unknown-user' : !ok ? 'wrong-password' : 'disabled',
        },
      });
      throw new UnauthorizedError('invalid username or password');
    }
    this.limiter.recordSuccess(username, address);
    const token = newToken();
    const expiresAt = new Date(Date.now() + this.sessionTtlMs);
    const tokenId = await this.users.insertToken({
      userId: user.id,
      tokenHash: hashToken(token),
      kind: 'session',
      expiresAt,
    });
    await this.audit.record({
      action: 'auth.login',
      actor: { type: 'user', id: user.id, name: user.username },
      target: { type: 'user', id: user.id },
      details: { address, tokenId },
    });
    return { token, expiresAt, user: { id: user.id, username: user.username, roles: user.roles } };
  }

  /** The signed-in user behind a token, or undefined for any token that is not valid now. */
  async authenticate(token: string): Promise<Principal | undefined> {
    if (!isWellFormedToken(token)) return undefined;
    const owner = await this.users.findValidToken(hashToken(token));
    if (!owner) return undefined;
    if (!owner.last_used_at || Date.now() - owner.last_used_at.getTime() > TOUCH_INTERVAL_MS) {
      this.users.touchToken(owner.token_id).catch((err: unknown) => {
        this.logger.warn(`could not record token use: ${(err as Error).message}`);
      });
    }
    return {
      userId: owner.user_id,
      username: owner.username,
      roles: owner.roles,
      groups: owner.groups,
      tokenId: owner.token_id,
    };
  }

  async logout(principal: Principal): Promise<void> {
    await this.users.revokeToken(principal.tokenId);
    await this.audit.record({
      action: 'auth.logout',
      actor: { type: 'user', id: principal.userId, name: principal.username },
      target: { type: 'user', id: principal.userId },
      details: { tokenId: principal.tokenId },
    });
  }
}
