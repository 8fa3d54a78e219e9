/**
 * `POST /api/v1/auth/login`, `POST /api/v1/auth/logout` and `GET /api/v1/auth/me`: sign in
 * with a user name and password for a bearer token (and the console's cookie), sign out.
 */
import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { decode } from '../http/validate';
import { AuthService } from './auth.service';
import { clearedSessionCookie, sessionCookie } from './cookies';
import { CurrentUser } from './current-user.decorator';
import { Public } from './public.decorator';
import type { Principal } from './roles';

const loginBody = z.strictObject({
  username: z.string().min(1).max(256),
  password: z.string().min(1).max(1024),
});

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in: a bearer token, also set as the session cookie' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['username', 'password'],
      properties: { username: { type: 'string' }, password: { type: 'string' } },
    },
  })
  async login(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { username, password } = decode(loginBody, body ?? {}, 'body');
    const result = await this.auth.login(username, password, request.ip);
    void reply.header(
      'set-cookie',
      sessionCookie(result.token, {
        secure: this.secureCookie(request),
        maxAgeSeconds: this.auth.sessionTtlMs / 1000,
      }),
    );
    void reply.header('cache-control', 'no-store');
    return { token: result.token, expiresAt: result.expiresAt.toISOString(), user: result.user };
  }

  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Sign out: revokes the token used for this request' })
  async logout(
    @CurrentUser() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.auth.logout(principal);
    void reply.header('set-cookie', clearedSessionCookie(this.secureCookie(request)));
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The signed-in user' })
  me(@CurrentUser() principal: Principal) {
    return { id: principal.userId, username: principal.username, roles: principal.roles };
  }

  private secureCookie(request: FastifyRequest): boolean {
    const setting = this.config.API_COOKIE_SECURE;
    if (setting !== 'auto') return setting === 'true';
    const forwarded = request.headers['x-forwarded-proto'];
    const proto = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    return request.protocol === 'https' || proto === 'https';
  }
}
