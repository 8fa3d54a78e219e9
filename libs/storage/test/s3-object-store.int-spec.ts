import { randomBytes } from 'node:crypto';
import {
  createTestBucket,
  createTestObjectStore,
  deleteTestBucket,
  uniqueTestName,
} from '@sessionrec/testing';
import { S3_MIN_PART_BYTES, type S3ObjectStore } from '../src';
import { describeObjectStoreContract, readAll, sha256, streamOf } from './object-store-contract';

const MiB = 1024 * 1024;
const multipart = { partSizeBytes: S3_MIN_PART_BYTES, multipartThresholdBytes: S3_MIN_PART_BYTES };

describeObjectStoreContract(
  's3 (test server)',
  async () => {
    const bucket = await createTestBucket(uniqueTestName('storage contract'));
    const store = createTestObjectStore(bucket, multipart);
    return {
      store,
      cleanup: async () => {
        await store.close();
        await deleteTestBucket(bucket);
      },
    };
  },
  { largeObjectBytes: 11 * MiB, partSizeBytes: S3_MIN_PART_BYTES },
);

describe('S3ObjectStore requests', () => {
  let bucket: string;
  let store: S3ObjectStore;
  let sent: { name: string; input: Record<string, unknown> }[];

  beforeAll(async () => {
    bucket = await createTestBucket(uniqueTestName('storage s3'));
    store = createTestObjectStore(bucket, multipart);
    // Observe (not replace) what the store asks the real server for.
    const send = store.client.send.bind(store.client) as (c: unknown) => Promise<unknown>;
    sent = [];
    jest.spyOn(store.client, 'send').mockImplementation(((command: {
      constructor: { name: string };
      input: Record<string, unknown>;
    }) => {
      sent.push({ name: command.constructor.name, input: command.input });
      return send(command);
    }) as never);
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await store.close();
    await deleteTestBucket(bucket);
  });

  beforeEach(() => {
    sent = [];
  });

  it('sends a small object in one conditional PutObject with its SHA-256 as metadata', async () => {
    const body = randomBytes(1000);
    await store.putIfAbsent('small.bin', body);
    expect(sent.map((s) => s.name)).toEqual(['PutObjectCommand']);
    expect(sent[0]!.input).toMatchObject({ IfNoneMatch: '*', Metadata: { sha256: sha256(body) } });
    expect((await store.head('small.bin'))?.sha256).toBe(sha256(body));
  });

  it('uploads an object above the threshold in parts and completes it conditionally', async () => {
    const body = randomBytes(11 * MiB);
    await store.putIfAbsent('big.bin', streamOf(body));
    const names = sent.map((s) => s.name);
    expect(names[0]).toBe('CreateMultipartUploadCommand');
    expect(names.filter((n) => n === 'UploadPartCommand')).toHaveLength(3);
    expect(names[names.length - 1]).toBe('CompleteMultipartUploadCommand');
    expect(sent[sent.length - 1]!.input).toMatchObject({ IfNoneMatch: '*' });
    expect(sha256(await readAll((await store.get('big.bin')).body))).toBe(sha256(body));
  });

  it('aborts the multipart upload when the key turns out to exist', async () => {
    const body = randomBytes(6 * MiB);
    await store.putIfAbsent('big2.bin', body);
    sent = [];
    await expect(store.putIfAbsent('big2.bin', streamOf(randomBytes(6 * MiB)))).rejects.toThrow(
      /already exists/,
    );
    expect(sent.map((s) => s.name)).toContain('AbortMultipartUploadCommand');
  });

  it('settles a retried large upload by its announced SHA-256 without sending parts', async () => {
    const body = randomBytes(6 * MiB);
    await store.putIfAbsent('big3.bin', body);
    sent = [];
    const again = await store.putIfAbsent('big3.bin', streamOf(body), { sha256: sha256(body) });
    expect(again.created).toBe(false);
    expect(sent.map((s) => s.name)).not.toContain('UploadPartCommand');
  });
});
