import { dataSourceOptions } from './data-source';
import { DatabaseConfigError } from './errors';
import { OWNERS } from './owners';
import { OWNER_REGISTRY } from './registry';
import { SchemaInfo } from './shared/schema-info.entity';

const url = 'postgres://app:secret@127.0.0.1:5432/sessionrec';

describe('dataSourceOptions', () => {
  it.each(OWNERS)('never synchronizes or migrates at boot (%s)', (owner) => {
    const options = dataSourceOptions({ url, owner, applicationName: `sessionrec-${owner}` });
    expect(options).toMatchObject({
      type: 'postgres',
      schema: owner,
      synchronize: false,
      migrationsRun: false,
      dropSchema: false,
      migrationsTableName: 'migrations',
      extra: { options: `-c search_path=${owner}` },
    });
    expect(options.migrations).toEqual([...OWNER_REGISTRY[owner].migrations]);
    expect(options.entities).toContain(SchemaInfo);
  });

  it('uses the given schema instead of the owner name', () => {
    const options = dataSourceOptions({
      url,
      owner: 'catalog',
      schema: 't_x_catalog',
      applicationName: 'test',
    });
    expect(options.schema).toBe('t_x_catalog');
    expect(options.extra).toEqual({ options: '-c search_path=t_x_catalog' });
  });

  it('rejects bad input without leaking the password', () => {
    const bad = [
      { url, owner: 'nobody' as never, applicationName: 'a' },
      { url, owner: 'api' as const, schema: 'x; drop', applicationName: 'a' },
      { url, owner: 'api' as const, applicationName: '' },
      { url, owner: 'api' as const, applicationName: 'a', poolSize: 0 },
      { url: 'http://app:secret@h/db', owner: 'api' as const, applicationName: 'a' },
    ];
    for (const config of bad) {
      expect(() => dataSourceOptions(config)).toThrow(DatabaseConfigError);
      expect(() => dataSourceOptions(config)).not.toThrow(/secret/);
    }
  });

  it('gives every owner at least its schema_info migration, with unique names', () => {
    for (const owner of OWNERS) {
      const names = OWNER_REGISTRY[owner].migrations.map((m) => m.name);
      expect(names.length).toBeGreaterThan(0);
      expect(new Set(names).size).toBe(names.length);
    }
  });
});
