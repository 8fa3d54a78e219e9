/** First migration of the policy schema: the schema itself and its `schema_info` table. */
import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { createSchemaInfo, dropSchemaInfo } from '../../shared/schema-info.migration';

export class PolicySchemaInfo1795578831823 implements MigrationInterface {
  readonly name = 'PolicySchemaInfo1795578831823';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createSchemaInfo(queryRunner, 'policy');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropSchemaInfo(queryRunner);
  }
}
