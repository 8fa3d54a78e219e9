/** First migration of the api schema: the schema itself and its `schema_info` table. */
import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { createSchemaInfo, dropSchemaInfo } from '../../shared/schema-info.migration';

export class ApiSchemaInfo1795578831823 implements MigrationInterface {
  readonly name = 'ApiSchemaInfo1795578831823';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createSchemaInfo(queryRunner, 'api');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropSchemaInfo(queryRunner);
  }
}
