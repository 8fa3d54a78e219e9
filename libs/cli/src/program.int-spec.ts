import { OWNER_REGISTRY, OWNERS, withDatabase } from '@sessionrec/database';
import { testDatabaseUrl, uniqueTestName } from '@sessionrec/testing';
import { Client } from 'pg';
import { buildProgram } from './program';

describe('sessionrec migrate (real PostgreSQL, throwaway database)', () => {
  const database = uniqueTestName('cli_migrate');
  const url = withDatabase(testDatabaseUrl(), database);

  afterAll(async () => {
    const client = new Client({ connectionString: withDatabase(testDatabaseUrl(), 'postgres') });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${database}"`);
    await client.end();
  });

  async function migrate(): Promise<string[]> {
    const lines: string[] = [];
    const program = buildProgram({
      env: { DATABASE_URL: url },
      out: (line) => lines.push(line),
      setExitCode: () => undefined,
    });
    await program.parseAsync(['node', 'sessionrec', 'migrate']);
    return lines;
  }

  it('creates the database and every owner schema, then has nothing to do', async () => {
    const first = await migrate();
    expect(first[0]).toBe(`Created database ${database} (${url}).`);
    for (const owner of OWNERS) {
      expect(first).toContainEqual(expect.stringMatching(new RegExp(`^${owner}: applied `)));
    }
    const total = OWNERS.reduce((n, owner) => n + OWNER_REGISTRY[owner].migrations.length, 0);
    expect(first.at(-1)).toBe(`Applied ${total} migration(s).`);

    const second = await migrate();
    expect(second[0]).toBe(`Database ${database} exists (${url}).`);
    expect(second.at(-1)).toBe('Nothing to apply: every schema is up to date.');

    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ nspname: string }>(
        'SELECT nspname FROM pg_namespace WHERE nspname = ANY($1) ORDER BY nspname',
        [[...OWNERS]],
      );
      expect(rows.map((row) => row.nspname)).toEqual([...OWNERS].sort());
    } finally {
      await client.end();
    }
  });
});
