/**
 * S3 helpers for integration tests: the test server's settings (started by
 * test/global-setup.js, which sets S3_TEST_*), and a bucket per suite that is emptied
 * and removed afterwards.
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { S3ObjectStore, type S3ObjectStoreOptions, type S3Settings } from '@sessionrec/storage';

/** Settings of the S3 test server; throws if the integration set-up did not run. */
export function testS3Options(): S3Settings & { endpoint: string } {
  const endpoint = process.env.S3_TEST_ENDPOINT;
  if (!endpoint) {
    throw new Error(
      'S3_TEST_ENDPOINT is not set: run integration tests through jest --selectProjects ' +
        'integration (test/global-setup.js starts the S3 test server) or point it at one',
    );
  }
  return {
    endpoint,
    region: process.env.S3_TEST_REGION ?? 'us-east-1',
    forcePathStyle: true,
    credentials: {
      accessKeyId: process.env.S3_TEST_ACCESS_KEY_ID ?? 'S3RVER',
      secretAccessKey: process.env.S3_TEST_SECRET_ACCESS_KEY ?? 'S3RVER',
    },
  };
}

/** A valid bucket name from a test name (uniqueTestName has "_", which buckets forbid). */
export function testBucketName(name: string): string {
  const bucket = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return bucket.length >= 3 ? bucket : `${bucket}-bucket`.replace(/^-/, 't-');
}

function testClient(): S3Client {
  const o = testS3Options();
  return new S3Client({
    endpoint: o.endpoint,
    region: o.region ?? 'us-east-1',
    forcePathStyle: true,
    ...(o.credentials ? { credentials: o.credentials } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Creates the suite's bucket; returns its (normalised) name. */
export async function createTestBucket(name: string): Promise<string> {
  const bucket = testBucketName(name);
  const client = testClient();
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
  return bucket;
}

/** Deletes every object of the bucket, then the bucket. A missing bucket is fine. */
export async function deleteTestBucket(name: string): Promise<void> {
  const bucket = testBucketName(name);
  const client = testClient();
  try {
    for (;;) {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000 }));
      const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
      if (keys.length === 0) break;
      await client.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }),
      );
    }
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
  } catch (err) {
    if ((err as { name?: string }).name !== 'NoSuchBucket') throw err;
  } finally {
    client.destroy();
  }
}

/** An S3ObjectStore on the test server for `bucket` (create it first). */
export function createTestObjectStore(
  bucket: string,
  overrides: Partial<Omit<S3ObjectStoreOptions, 'bucket'>> = {},
): S3ObjectStore {
  return new S3ObjectStore({ ...testS3Options(), ...overrides, bucket: testBucketName(bucket) });
}
