/**
 * Viewing policies (issue 7) name viewers by role, user name or group: people get the
 * groups they belong to (set by an administrator now; by the identity provider once OIDC
 * sign-in exists).
 */
import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class ApiUserGroups1796400000000 implements MigrationInterface {
  readonly name = 'ApiUserGroups1796400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE users ADD COLUMN groups text[] NOT NULL DEFAULT '{}'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE users DROP COLUMN groups`);
  }
}
