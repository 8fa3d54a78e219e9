import { randomBytes } from 'node:crypto';
import {
  createTestBucket,
  createTestObjectStore,
  deleteTestBucket,
  uniqueTestName,
} from '@sessionrec/testing';
import { S3_MIN_PART_BYTES, type S3ObjectStore } from '../src';
import { KNOWN_PAYLOAD_HASH, PAYLOAD_HASH_HEADER } from '../src/s3-payload-hash';
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
  let sent: { name: string; input: Record<string, unknown>; middleware: string[] }[];
  let signedHeaders: Record<string, string>[];

  beforeAll(async () => {
    bucket = await createTestBucket(uniqueTestName('storage s3'));
    store = createTestObjectStore(bucket, multipart);
    // Observe (not replace) what the store asks the real server for.
    const send = store.client.send.bind(store.client) as (c: unknown) => Promise<unknown>;
    sent = [];
    jest.spyOn(store.client, 'send').mockImplementation(((command: {
      constructor: { name: string };
      input: Record<string, unknown>;
      middlewareStack: { identify(): string[] };
    }) => {
      sent.push({
        name: command.constructor.name,
        input: command.input,
        middleware: command.middlewareStack.identify(),
      });
      return send(command);
    }) as never);
    // The headers of each request as signed (the deserialize step comes after signing).
    signedHeaders = [];
    store.client.middlewareStack.add(
      (next) => (args) => {
        const request = args.request as { headers?: Record<string, string> };
        if (request.headers) signedHeaders.push({ ...request.headers });
        return next(args);
      },
      { step: 'deserialize', name: 'testSignedHeaders' },
    );
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await store.close();
    await deleteTestBucket(bucket);
  });

  beforeEach(() => {
    sent = [];
    signedHeaders = [];
  });

  it('sends a small object in one conditional PutObject with its SHA-256 as metadata', async () => {
    const body = randomBytes(1000);
    await store.putIfAbsent('small.bin', body);
    expect(sent.map((s) => s.name)).toEqual(['PutObjectCommand']);
    expect(sent[0]!.input).toMatchObject({ IfNoneMatch: '*', Metadata: { sha256: sha256(body) } });
    expect((await store.head('small.bin'))?.sha256).toBe(sha256(body));
  });

  it('signs a small object with the SHA-256 it computed, not a second pass over the body', async () => {
    const body = randomBytes(100_000);
    await store.putIfAbsent('signed.bin', body);
    expect(sent[0]!.middleware.some((m) => m.startsWith(KNOWN_PAYLOAD_HASH))).toBe(true);
    expect(signedHeaders).toHaveLength(1);
    expect(signedHeaders[0]![PAYLOAD_HASH_HEADER]).toBe(sha256(body));
    expect(signedHeaders[0]!.authorization).toContain(PAYLOAD_HASH_HEADER);
    expect(sha256(await readAll((await store.get('signed.bin')).body))).toBe(sha256(body));
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
