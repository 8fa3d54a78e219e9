/**
 * Helpers that give each test suite its own slice of the real infrastructure: a NATS
 * namespace (stream prefix), a PostgreSQL schema and an S3 bucket.
 */
export * from './namespace';
export * from './nats';
export * from './postgres';
export * from './s3';
export * from './ports';
export * from './service-process';
