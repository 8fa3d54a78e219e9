import { DatabaseConfigError } from './errors';
import { assertSchemaName, quoteIdentifier } from './identifiers';

describe('identifiers', () => {
  it('accepts plain lower-case schema names', () => {
    expect(assertSchemaName('ingest')).toBe('ingest');
    expect(assertSchemaName('t_db_3fa9c1_catalog')).toBe('t_db_3fa9c1_catalog');
  });

  it.each(['', 'Ingest', '1abc', 'a-b', 'a;drop', 'pg_catalog', 'x'.repeat(64), 'a b'])(
    'rejects schema name %j',
    (name) => {
      expect(() => assertSchemaName(name)).toThrow(DatabaseConfigError);
    },
  );

  it('quotes identifiers, doubling embedded quotes', () => {
    expect(quoteIdentifier('sessionrec')).toBe('"sessionrec"');
    expect(quoteIdentifier('we"ird')).toBe('"we""ird"');
    expect(() => quoteIdentifier('')).toThrow(DatabaseConfigError);
    expect(() => quoteIdentifier('a\0b')).toThrow(DatabaseConfigError);
    expect(() => quoteIdentifier('é'.repeat(32))).toThrow(DatabaseConfigError);
  });
});
