import { dropTestSchemas, testDatabaseUrl, uniqueTestName } from '@sessionrec/testing';
import { Client } from 'pg';
import { getMetadataArgsStorage } from 'typeorm';
import { createDataSource } from './data-source';
import { ensureDatabase } from './ensure-database';
import { OWNERS, type Owner } from './owners';
import { entitiesOf, OWNER_REGISTRY } from './registry';
import { runMigrations } from './run-migrations';
import { PLATFORM_VERSION } from './version';

describe('runMigrations (real PostgreSQL)', () => {
  const url = testDatabaseUrl();
  const prefix = uniqueTestName('migrations');
  const schemaFor = (owner: Owner) => `${prefix}_${owner}`;
  let client: Client;

  beforeAll(async () => {
    await ensureDatabase(url);
    client = new Client({ connectionString: url });
    await client.connect();
  });

  afterAll(async () => {
    await client.end();
    await dropTestSchemas(prefix);
  });

  it('creates every owner schema with schema_info and the migrations table', async () => {
    const lines: string[] = [];
    const summary = await runMigrations({ url, schemaFor, log: (line) => lines.push(line) });

    expect(summary.owners.map((result) => result.owner)).toEqual([...OWNERS]);
    for (const result of summary.owners) {
      expect(result.schema).toBe(schemaFor(result.owner));
      expect(result.applied).toEqual(OWNER_REGISTRY[result.owner].migrations.map((m) => m.name));
    }
    expect(lines).toHaveLength(OWNERS.length);

    for (const owner of OWNERS) {
      const schema = schemaFor(owner);
      const tables = await client.query<{ table_name: string }>(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1',
        [schema],
      );
      // Every entity of the owner has its table, beside the two every schema has.
      const entityTables = getMetadataArgsStorage()
        .tables.filter((t) => (entitiesOf(owner) as unknown[]).includes(t.target))
        .map((t) => t.name ?? '');
      expect(tables.rows.map((row) => row.table_name)).toEqual(
        expect.arrayContaining(['migrations', 'schema_info', ...entityTables]),
      );
      const info = await client.query<{ key: string; value: string }>(
        `SELECT key, value FROM "${schema}".schema_info ORDER BY key`,
      );
      expect(info.rows).toEqual([
        { key: 'owner', value: owner },
        { key: 'platform_version', value: PLATFORM_VERSION },
      ]);
    }
    // Nothing leaked into the public schema through a fallback search_path.
    const stray = await client.query(
      `SELECT 1 FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('schema_info', 'migrations')`,
    );
    expect(stray.rowCount).toBe(0);
  });

  it('applies nothing on a second run', async () => {
    const summary = await runMigrations({ url, schemaFor });
    expect(summary.appliedCount).toBe(0);
    expect(summary.owners.every((result) => result.applied.length === 0)).toBe(true);
    const runs = await client.query(
      `SELECT count(*)::int AS n FROM "${schemaFor('api')}".migrations`,
    );
    expect(runs.rows).toEqual([{ n: OWNER_REGISTRY.api.migrations.length }]);
  });

  it('applies each migration once when two migrators run at the same time', async () => {
    const concurrent = uniqueTestName('migrations_concurrent');
    const concurrentSchemaFor = (owner: Owner) => `${concurrent}_${owner}`;
    try {
      const [first, second] = await Promise.all([
        runMigrations({ url, schemaFor: concurrentSchemaFor }),
        runMigrations({ url, schemaFor: concurrentSchemaFor }),
      ]);
      const expected = OWNERS.reduce((n, o) => n + OWNER_REGISTRY[o].migrations.length, 0);
      expect(first.appliedCount + second.appliedCount).toBe(expected);
      expect(Math.min(first.appliedCount, second.appliedCount)).toBe(0);
      for (const owner of OWNERS) {
        const rows = await client.query(
          `SELECT count(*)::int AS n FROM "${concurrentSchemaFor(owner)}".migrations`,
        );
        expect(rows.rows).toEqual([{ n: OWNER_REGISTRY[owner].migrations.length }]);
      }
    } finally {
      await dropTestSchemas(concurrent);
    }
  });

  it('migrates only the owners asked for', async () => {
    const partial = uniqueTestName('migrations_partial');
    try {
      const summary = await runMigrations({
        url,
        owners: ['policy'],
        schemaFor: (owner) => `${partial}_${owner}`,
      });
      expect(summary.owners.map((r) => r.schema)).toEqual([`${partial}_policy`]);
      const schemas = await client.query(
        'SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)',
        [`${partial}_`],
      );
      expect(schemas.rows).toEqual([{ nspname: `${partial}_policy` }]);
    } finally {
      await dropTestSchemas(partial);
    }
  });

  it('keeps synchronize off on a live data source and queries the schema unqualified', async () => {
    const dataSource = createDataSource({
      url,
      owner: 'retention',
      schema: schemaFor('retention'),
      applicationName: 'sessionrec-test',
    });
    await dataSource.initialize();
    try {
      expect(dataSource.options.synchronize).toBe(false);
      expect(dataSource.options.migrationsRun).toBe(false);
      expect(await dataSource.query('SHOW search_path')).toEqual([
        { search_path: schemaFor('retention') },
      ]);
      expect(await dataSource.showMigrations()).toBe(false);
    } finally {
      await dataSource.destroy();
    }
  });

  it('only ever drops schemas under a uniqueTestName prefix', async () => {
    await expect(dropTestSchemas('ingest')).rejects.toThrow(/not a uniqueTestName prefix/);
    await expect(dropTestSchemas('')).rejects.toThrow(/not a uniqueTestName prefix/);
  });

  it('refuses schema names that are not plain identifiers before touching the database', async () => {
    await expect(runMigrations({ url, schemaFor: () => 'bad"; DROP' })).rejects.toThrow(
      /invalid schema name/,
    );
  });
});
