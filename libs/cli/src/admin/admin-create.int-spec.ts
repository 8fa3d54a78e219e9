/**
 * `sessionrec admin create` against real PostgreSQL: the user is stored with an argon2id
 * hash of the password from a file or stdin, roles are checked, a taken name is refused.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  createTestSchemas,
  dropTestSchemas,
  testDatabaseUrl,
  uniqueTestName,
} from '@sessionrec/testing';
import { verify } from 'argon2';
import { Client } from 'pg';
import { buildProgram } from '../program';

const CLI_MAIN = path.resolve(__dirname, '../../dist/main.js');

describe('sessionrec admin create', () => {
  const name = uniqueTestName('cli_admin');
  const schema = `${name}_api`;
  const env = { DATABASE_URL: testDatabaseUrl(), DATABASE_SCHEMA: schema };
  let pg: Client;
  let work: string;

  beforeAll(async () => {
    await createTestSchemas(name);
    pg = new Client({ connectionString: testDatabaseUrl() });
    await pg.connect();
    work = await mkdtemp(path.join(os.tmpdir(), 'cli-admin-'));
  });

  afterAll(async () => {
    await pg.end();
    await dropTestSchemas(name);
    await rm(work, { recursive: true, force: true });
  });

  async function cli(args: string[]): Promise<string[]> {
    const out: string[] = [];
    const program = buildProgram({ env, out: (line) => out.push(line), setExitCode: () => {} });
    program.exitOverride();
    await program.parseAsync(['node', 'sessionrec', ...args]);
    return out;
  }

  async function user(username: string) {
    const { rows } = await pg.query<{ password_hash: string; roles: string[] }>(
      `SELECT password_hash, roles FROM "${schema}".users WHERE username = $1`,
      [username],
    );
    return rows[0];
  }

  it('creates a user from --password-file with the given roles', async () => {
    const file = path.join(work, 'pw');
    await writeFile(file, 'a long enough password\n');
    const out = await cli([
      'admin',
      'create',
      'ivy',
      '--role',
      'investigator',
      '--role',
      'auditor',
      '--password-file',
      file,
    ]);
    expect(out.join('\n')).toMatch(
      /^User ivy \([0-9a-f-]{36}\) created with roles investigator, auditor\.$/,
    );
    const row = await user('ivy');
    expect(row?.roles).toEqual(['investigator', 'auditor']);
    expect(row?.password_hash).toMatch(/^\$argon2id\$/);
    expect(await verify(row!.password_hash, 'a long enough password')).toBe(true);
  });

  it('stores the groups a user belongs to', async () => {
    const file = path.join(work, 'pw-groups');
    await writeFile(file, 'a long enough password\n');
    const out = await cli([
      'admin',
      'create',
      'gus',
      '--role',
      'helpdesk',
      '--group',
      'support-eu,finance',
      '--password-file',
      file,
    ]);
    expect(out.join('\n')).toMatch(/created with roles helpdesk in groups support-eu, finance\.$/);
    const { rows } = await pg.query<{ groups: string[] }>(
      `SELECT groups FROM "${schema}".users WHERE username = $1`,
      ['gus'],
    );
    expect(rows[0]?.groups).toEqual(['support-eu', 'finance']);
  });

  it('refuses a taken name, an unknown role and a short password', async () => {
    const file = path.join(work, 'pw2');
    await writeFile(file, 'another long password');
    await expect(cli(['admin', 'create', 'ivy', '--password-file', file])).rejects.toThrow(
      /already exists/,
    );
    await expect(
      cli(['admin', 'create', 'zed', '--role', 'root', '--password-file', file]),
    ).rejects.toThrow(/unknown role root/);
    await writeFile(file, 'short');
    await expect(cli(['admin', 'create', 'zed', '--password-file', file])).rejects.toThrow(
      /12 to 1024/,
    );
    expect(await user('zed')).toBeUndefined();
  });

  it('reads the password from stdin in the real binary', async () => {
    const child = spawn(process.execPath, [CLI_MAIN, 'admin', 'create', 'hal'], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.stdin.end('password from stdin\n');
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect({ code, output }).toEqual({
      code: 0,
      output: expect.stringContaining('User hal') as unknown,
    });
    const row = await user('hal');
    expect(row?.roles).toEqual(['investigator']);
    expect(await verify(row!.password_hash, 'password from stdin')).toBe(true);
  });
});
