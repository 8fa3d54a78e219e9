/**
 * On start, makes sure the administrator `admin` exists: with SESSIONREC_ADMIN_PASSWORD
 * if set, or else a generated password printed once to stdout in a banner (never to the
 * JSON log). Creation is an INSERT ... ON CONFLICT DO NOTHING, so restarts and replicas
 * starting together create exactly one admin, and only the process that created it
 * prints its password. An existing admin is never changed.
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { generatePassword, hashPassword } from './secrets';
import { UsersRepository } from './users.repository';

export const ADMIN_USERNAME = 'admin';

export function adminPasswordBanner(password: string): string {
  const line = '='.repeat(72);
  return [
    '',
    line,
    '  Sessionrec: the administrator account was created.',
    `  user name: ${ADMIN_USERNAME}`,
    `  password:  ${password}`,
    '  This password is shown only now. Sign in and keep it safe, or set',
    '  SESSIONREC_ADMIN_PASSWORD before the first start next time.',
    line,
    '',
  ].join('\n');
}

@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('AdminBootstrap');

  constructor(
    private readonly users: UsersRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (await this.users.findByUsername(ADMIN_USERNAME)) return;
    const fromEnv = this.config.SESSIONREC_ADMIN_PASSWORD;
    const password = fromEnv ?? generatePassword();
    const created = await this.users.createIfAbsent({
      username: ADMIN_USERNAME,
      passwordHash: await hashPassword(password),
      roles: ['admin'],
    });
    if (!created) return;
    if (fromEnv) {
      this.logger.log(
        'administrator "admin" created with the password from SESSIONREC_ADMIN_PASSWORD',
      );
    } else {
      this.logger.log(
        'administrator "admin" created with a generated password (printed once to stdout)',
      );
      // Straight to stdout, not through the logger: it must be seen, and never in a log store.
      process.stdout.write(`${adminPasswordBanner(password)}\n`);
    }
  }
}
