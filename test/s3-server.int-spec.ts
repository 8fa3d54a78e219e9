/**
 * The S3 test server must behave like S3 where the object store depends on it: these
 * talk to it with the plain AWS SDK, not through libs/storage.
 */
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import {
  createTestBucket,
  deleteTestBucket,
  testS3Options,
  uniqueTestName,
} from '@sessionrec/testing';

describe('S3 test server', () => {
  let bucket: string;
  let client: S3Client;

  beforeAll(async () => {
    bucket = await createTestBucket(uniqueTestName('s3 server'));
    const o = testS3Options();
    client = new S3Client({
      endpoint: o.endpoint,
      region: o.region ?? 'us-east-1',
      forcePathStyle: true,
      ...(o.credentials ? { credentials: o.credentials } : {}),
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  });

  afterAll(async () => {
    client.destroy();
    await deleteTestBucket(bucket);
  });

  it('answers 412 PreconditionFailed to If-None-Match: * on an existing key', async () => {
    const put = (body: string) =>
      client.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: body, IfNoneMatch: '*' }));
    await put('first');
    await expect(put('second')).rejects.toMatchObject({
      name: 'PreconditionFailed',
      $metadata: { httpStatusCode: 412 },
    });
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }));
    expect(await got.Body!.transformToString()).toBe('first');
    // Without the condition, PUT still overwrites, as on S3.
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'third' }));
    const again = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }));
    expect(await again.Body!.transformToString()).toBe('third');
  });

  it('aborts a multipart upload', async () => {
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'mp' }),
    );
    await client.send(
      new UploadPartCommand({ Bucket: bucket, Key: 'mp', UploadId, PartNumber: 1, Body: 'x' }),
    );
    await expect(
      client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'mp', UploadId })),
    ).resolves.toBeDefined();
  });

  it('pages ListObjectsV2 with continuation tokens, in byte order', async () => {
    const keys = ['l/a-b', 'l/a.b', 'l/a/b', 'l/a0', 'l/b', 'l/c/d/e'];
    for (const key of keys) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    }
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: 'l/',
          MaxKeys: 4,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      seen.push(...(page.Contents ?? []).map((c) => c.Key!));
      token = page.NextContinuationToken;
      pages += 1;
    } while (token && pages < 5);
    expect(pages).toBe(2);
    expect(seen).toEqual(keys);
  });
});
