import { DatabaseConfigError } from './errors';
import { maskDatabaseUrl, parseDatabaseUrl, withDatabase } from './url';

describe('database URLs', () => {
  it('masks the password and nothing else', () => {
    expect(
      maskDatabaseUrl('postgres://app:s3cret@db.example:5433/sessionrec?sslmode=require'),
    ).toBe('postgres://app:***@db.example:5433/sessionrec?sslmode=require');
    expect(maskDatabaseUrl('postgres://postgres@127.0.0.1/sessionrec')).toBe(
      'postgres://postgres@127.0.0.1/sessionrec',
    );
  });

  it('never echoes an unparsable URL, which may hold a password', () => {
    expect(maskDatabaseUrl('not a url :hunter2')).not.toContain('hunter2');
  });

  it('parses the database name and rejects what pg would misread', () => {
    expect(parseDatabaseUrl('postgresql://u@h/my%20db').database).toBe('my db');
    expect(() => parseDatabaseUrl('mysql://u@h/db')).toThrow(DatabaseConfigError);
    expect(() => parseDatabaseUrl('postgres://u@h/')).toThrow(/exactly one database/);
    expect(() => parseDatabaseUrl('postgres://u:pw1@h')).toThrow(DatabaseConfigError);
    expect(() => parseDatabaseUrl('postgres://u:pw1@h')).not.toThrow(/pw1/);
    expect(() => parseDatabaseUrl('garbage')).toThrow(DatabaseConfigError);
  });

  it('points the same server at another database', () => {
    expect(withDatabase('postgres://u:p@h:1/app?x=1', 'postgres')).toBe(
      'postgres://u:p@h:1/postgres?x=1',
    );
  });
});
