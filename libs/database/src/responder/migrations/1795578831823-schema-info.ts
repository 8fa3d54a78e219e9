/** First migration of the responder schema: the schema itself and its `schema_info` table. */
import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { createSchemaInfo, dropSchemaInfo } from '../../shared/schema-info.migration';

export class ResponderSchemaInfo1795578831823 implements MigrationInterface {
  readonly name = 'ResponderSchemaInfo1795578831823';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createSchemaInfo(queryRunner, 'responder');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropSchemaInfo(queryRunner);
  }
}
