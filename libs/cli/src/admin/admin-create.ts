/**
 * `sessionrec admin create <username> [--role ...] [--group ...]`: creates a person who signs in to the
 * api, for operators (the first administrator is created by the api itself). The password
 * comes from a file or from stdin, never from the command line, where other users of the
 * machine could read it; it is stored as an argon2id hash, the same format the api checks.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { databaseEnv, loadConfig, serviceEnv } from '@sessionrec/config';
import { assertSchemaName, quoteIdentifier } from '@sessionrec/database';
import { argon2id, hash } from 'argon2';
import type { Command } from 'commander';
import { Client } from 'pg';
import { z } from 'zod';
import type { ProgramIo } from '../program';

/** The api's roles (services/api/src/auth/roles.ts and the users table's check). */
export const USER_ROLES = ['admin', 'policy-admin', 'investigator', 'helpdesk', 'auditor'] as const;
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,255}$/;
// eslint-disable-next-line no-control-regex -- control characters are what is refused
const GROUP = /^[^\u0000-\u001f]{1,256}$/;
const MIN_PASSWORD = 12;
const MAX_PASSWORD = 1024;

export class AdminCreateError extends Error {
  override readonly name = 'AdminCreateError';
}

export interface CreatedUser {
  readonly id: string;
  readonly username: string;
  readonly roles: readonly string[];
  readonly groups: readonly string[];
}

export async function createUser(options: {
  databaseUrl: string;
  schema: string;
  username: string;
  password: string;
  roles: readonly string[];
  /** Groups viewing policies may name (docs/policies.md). */
  groups?: readonly string[];
}): Promise<CreatedUser> {
  if (!USERNAME.test(options.username)) {
    throw new AdminCreateError(
      'username must start with a letter or digit and use only letters, digits and . _ @ -',
    );
  }
  if (options.password.length < MIN_PASSWORD || options.password.length > MAX_PASSWORD) {
    throw new AdminCreateError(
      `the password must be ${MIN_PASSWORD} to ${MAX_PASSWORD} characters`,
    );
  }
  const unknown = options.roles.filter((r) => !(USER_ROLES as readonly string[]).includes(r));
  if (unknown.length > 0) {
    throw new AdminCreateError(`unknown role ${unknown.join(', ')}: use ${USER_ROLES.join(', ')}`);
  }
  const roles = [...new Set(options.roles)];
  const groups = [...new Set(options.groups ?? [])];
  const badGroup = groups.find((g) => !GROUP.test(g));
  if (badGroup !== undefined || groups.length > 256) {
    throw new AdminCreateError('groups must be 1-256 printable characters each, at most 256');
  }
  const passwordHash = await hash(options.password, {
    type: argon2id,
    memoryCost: 19_456,
    timeCost: 2,
    parallelism: 1,
  });
  const client = new Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    const id = randomUUID();
    const { rowCount } = await client.query(
      `INSERT INTO ${quoteIdentifier(options.schema)}.users (id, username, password_hash, roles, groups)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (username) DO NOTHING`,
      [id, options.username, passwordHash, roles, groups],
    );
    if (rowCount !== 1) throw new AdminCreateError(`user ${options.username} already exists`);
    return { id, username: options.username, roles, groups };
  } finally {
    await client.end();
  }
}

/** The password: the file's or stdin's content, without one trailing newline. */
async function readPassword(passwordFile: string | undefined): Promise<string> {
  let raw: string;
  if (passwordFile) {
    raw = await readFile(passwordFile, 'utf8');
  } else {
    if (process.stdin.isTTY) {
      throw new AdminCreateError(
        'give the password on stdin (e.g. `... < file`) or with --password-file',
      );
    }
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    raw = Buffer.concat(chunks).toString('utf8');
  }
  return raw.replace(/\r?\n$/, '');
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((r) => r.trim())];
}

export function registerAdminCommands(program: Command, io: ProgramIo): void {
  program
    .command('admin')
    .description('people who sign in to the api')
    .command('create')
    .description('create a user; the password is read from stdin or --password-file')
    .argument('<username>', 'the user name to sign in with')
    .option('--role <role>', `role, repeatable: ${USER_ROLES.join(', ')}`, collect)
    .option('--group <group>', 'group the user belongs to, repeatable', collect)
    .option('--password-file <path>', 'read the password from this file')
    .action(
      async (
        username: string,
        opts: { role?: string[]; group?: string[]; passwordFile?: string },
      ) => {
        const config = loadConfig(z.object({ database: databaseEnv, service: serviceEnv }), io.env);
        const created = await createUser({
          databaseUrl: config.database.DATABASE_URL,
          schema: assertSchemaName(config.service.DATABASE_SCHEMA ?? 'api'),
          username,
          password: await readPassword(opts.passwordFile),
          roles: opts.role ?? ['investigator'],
          groups: opts.group ?? [],
        });
        const groups = created.groups.length > 0 ? ` in groups ${created.groups.join(', ')}` : '';
        io.out(
          `User ${created.username} (${created.id}) created with roles ${created.roles.join(', ')}${groups}.`,
        );
      },
    );
}
