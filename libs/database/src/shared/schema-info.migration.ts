/**
 * The body of every owner's first migration. It is history: once released, never change
 * what it does (add a new migration instead), or databases migrated before would differ.
 */
import { type QueryRunner } from 'typeorm';
import { type Owner } from '../owners';
import { PLATFORM_VERSION } from '../version';
import { migrationSchema } from './migration-schema';

export async function createSchemaInfo(queryRunner: QueryRunner, owner: Owner): Promise<void> {
  const schema = migrationSchema(queryRunner);
  await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS ${schema.quoted}`);
  await queryRunner.query(
    `CREATE TABLE ${schema.quoted}.schema_info (key text PRIMARY KEY, value text NOT NULL)`,
  );
  await queryRunner.query(
    `INSERT INTO ${schema.quoted}.schema_info (key, value) VALUES ('owner', $1), ('platform_version', $2)`,
    [owner, PLATFORM_VERSION],
  );
}

export async function dropSchemaInfo(queryRunner: QueryRunner): Promise<void> {
  const schema = migrationSchema(queryRunner);
  await queryRunner.query(`DROP TABLE ${schema.quoted}.schema_info`);
}
