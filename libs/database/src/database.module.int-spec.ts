import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import {
  createTestSchemas,
  dropTestSchemas,
  testDatabaseUrl,
  uniqueTestName,
} from '@sessionrec/testing';
import { DataSource, type Repository } from 'typeorm';
import { createDataSource } from './data-source';
import { DatabaseModule } from './database.module';
import { DatabaseNotReadyError } from './errors';
import { databaseReadiness, inspectDatabase } from './readiness';
import { SchemaInfo } from './shared/schema-info.entity';

@Injectable()
class SchemaInfoReader {
  constructor(@InjectRepository(SchemaInfo) readonly repository: Repository<SchemaInfo>) {}
}

describe('DatabaseModule and databaseReadiness (real PostgreSQL)', () => {
  const prefix = uniqueTestName('dbmodule');
  let schemas: Awaited<ReturnType<typeof createTestSchemas>>;

  beforeAll(async () => {
    schemas = await createTestSchemas(prefix);
  });

  afterAll(async () => {
    await dropTestSchemas(prefix);
  });

  it('gives a Nest service its owner schema, repositories and a passing readiness check', async () => {
    @Module({
      imports: [
        DatabaseModule.forRoot({ url: testDatabaseUrl(), owner: 'ingest', schema: schemas.ingest }),
        TypeOrmModule.forFeature([SchemaInfo]),
      ],
      providers: [SchemaInfoReader],
    })
    class AppModule {}

    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    try {
      const dataSource = app.get(DataSource);
      expect(dataSource.options.synchronize).toBe(false);
      expect(dataSource.options.migrationsRun).toBe(false);
      await expect(databaseReadiness(dataSource, 'ingest')).resolves.toBeUndefined();
      expect(await inspectDatabase(dataSource, 'ingest')).toEqual({
        owner: 'ingest',
        schema: schemas.ingest,
      });
      const reader = app.get(SchemaInfoReader);
      expect(await reader.repository.findOneBy({ key: 'owner' })).toEqual({
        key: 'owner',
        value: 'ingest',
      });
    } finally {
      await app.close();
    }
  });

  it('is not ready when the schema was never migrated', async () => {
    const dataSource = createDataSource({
      url: testDatabaseUrl(),
      owner: 'api',
      schema: `${prefix}_never_migrated`,
      applicationName: 'sessionrec-test',
    });
    await dataSource.initialize();
    try {
      await expect(databaseReadiness(dataSource, 'api')).rejects.toThrow(DatabaseNotReadyError);
      await expect(databaseReadiness(dataSource, 'api')).rejects.toThrow(/sessionrec migrate/);
    } finally {
      await dataSource.destroy();
    }
  });

  it('is not ready when the schema belongs to another owner, or before initialisation', async () => {
    const dataSource = createDataSource({
      url: testDatabaseUrl(),
      owner: 'api',
      schema: schemas.policy,
      applicationName: 'sessionrec-test',
    });
    await expect(databaseReadiness(dataSource, 'api')).rejects.toThrow(/not initialised/);
    await dataSource.initialize();
    try {
      await expect(databaseReadiness(dataSource, 'api')).rejects.toThrow(/belongs to policy/);
    } finally {
      await dataSource.destroy();
    }
  });
});
