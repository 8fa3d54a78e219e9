/**
 * The object store on S3 (AWS, MinIO, Ceph, the s3rver test server). Create-if-absent
 * is `If-None-Match: *` on PutObject and on CompleteMultipartUpload: the server refuses
 * with 412 when the key exists, and only then do we compare the stored SHA-256 (object
 * metadata `sha256`, or the stored bytes) to decide between a no-op and a conflict.
 */
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  type CompletedPart,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import {
  BodyMeter,
  chunksOf,
  sha256OfStream,
  validateBody,
  validateListOptions,
  validatePutOptions,
  validateRange,
} from './body';
import {
  InvalidArgumentError,
  InvalidRangeError,
  ObjectConflictError,
  ObjectNotFoundError,
  ObjectStoreError,
} from './errors';
import { assertValidKey, assertValidPrefix, contentTypeForKey } from './keys';
import { KNOWN_PAYLOAD_HASH, setPayloadHash } from './s3-payload-hash';
import {
  type GetOptions,
  type GetResult,
  type ListOptions,
  type ListResult,
  type ObjectBody,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
  type PutResult,
} from './object-store';

const MiB = 1024 * 1024;
/** S3's smallest allowed part (all parts but the last). */
export const S3_MIN_PART_BYTES = 5 * MiB;
const S3_MAX_PART_BYTES = 5 * 1024 * MiB;
const S3_MAX_PARTS = 10_000;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3ObjectStoreOptions {
  bucket: string;
  /** e.g. http://127.0.0.1:9000 for MinIO; omitted for AWS. */
  endpoint?: string;
  region?: string;
  /** true for MinIO and s3rver (`http://host/bucket/key` rather than `http://bucket.host/key`). */
  forcePathStyle?: boolean;
  /** Omitted: the AWS SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles, IMDS). */
  credentials?: S3Credentials;
  /** Objects of this size or more use multipart upload. Default 8 MiB; at most partSizeBytes. */
  multipartThresholdBytes?: number;
  /** Multipart part size, 5 MiB..5 GiB. Default 8 MiB. */
  partSizeBytes?: number;
  /** Parts uploaded at once; memory use is about (this + 1) x partSizeBytes. Default 4. */
  partConcurrency?: number;
}

interface S3ErrorLike {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

function s3Status(err: unknown): number | undefined {
  return (err as S3ErrorLike | undefined)?.$metadata?.httpStatusCode;
}

function s3Code(err: unknown): string | undefined {
  const e = err as S3ErrorLike | undefined;
  return e?.Code ?? e?.name;
}

const isPreconditionFailed = (err: unknown) =>
  s3Status(err) === 412 || s3Code(err) === 'PreconditionFailed';
const isNotFound = (err: unknown) =>
  s3Status(err) === 404 || s3Code(err) === 'NoSuchKey' || s3Code(err) === 'NotFound';
/** AWS answers 409 while another conditional write of the same key is in flight: retry. */
const isConditionalConflict = (err: unknown) =>
  s3Status(err) === 409 && s3Code(err) === 'ConditionalRequestConflict';

function positiveInt(value: number | undefined, fallback: number, what: string): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 1) throw new InvalidArgumentError(`${what} must be >= 1`);
  return v;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class S3ObjectStore implements ObjectStore {
  readonly description: string;
  readonly bucket: string;
  readonly client: S3Client;
  private readonly threshold: number;
  private readonly partSize: number;
  private readonly partConcurrency: number;

  constructor(options: S3ObjectStoreOptions) {
    if (typeof options.bucket !== 'string' || !BUCKET_NAME.test(options.bucket)) {
      throw new InvalidArgumentError(
        `Invalid S3 bucket name ${JSON.stringify(options.bucket)}: 3-63 of a-z, 0-9, ".", "-"`,
      );
    }
    this.bucket = options.bucket;
    this.partSize = positiveInt(options.partSizeBytes, 8 * MiB, 'partSizeBytes');
    if (this.partSize < S3_MIN_PART_BYTES || this.partSize > S3_MAX_PART_BYTES) {
      throw new InvalidArgumentError('partSizeBytes must be between 5 MiB and 5 GiB');
    }
    this.threshold = positiveInt(
      options.multipartThresholdBytes,
      Math.min(8 * MiB, this.partSize),
      'multipartThresholdBytes',
    );
    if (this.threshold > this.partSize) {
      throw new InvalidArgumentError('multipartThresholdBytes must not exceed partSizeBytes');
    }
    this.partConcurrency = positiveInt(options.partConcurrency, 4, 'partConcurrency');
    this.client = new S3Client({
      region: options.region ?? 'us-east-1',
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle ?? false,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // We send our own SHA-256 on single PUTs. The SDK's default CRC32 on every request
      // (aws-chunked trailers for streams) is not understood by every S3-compatible server.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    this.description = `s3://${this.bucket}${options.endpoint ? ` at ${options.endpoint}` : ''}`;
  }

  putIfAbsent(key: string, body: ObjectBody, opts?: PutOptions): Promise<PutResult> {
    return this.write(key, body, opts, true);
  }

  put(key: string, body: ObjectBody, opts?: PutOptions): Promise<PutResult> {
    return this.write(key, body, opts, false);
  }

  async get(key: string, opts?: GetOptions): Promise<GetResult> {
    assertValidKey(key);
    const range = validateRange(opts?.range);
    try {
      const out = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          ...(range ? { Range: `bytes=${range.start}-${range.end ?? ''}` } : {}),
        }),
      );
      if (!(out.Body instanceof Readable)) {
        throw new ObjectStoreError('S3 returned no readable body');
      }
      const contentLength = out.ContentLength ?? 0;
      const parsed = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(out.ContentRange ?? '');
      const result: GetResult = {
        body: out.Body,
        size: parsed ? Number(parsed[3]) : contentLength,
        contentLength,
        ...(out.ContentType ? { contentType: out.ContentType } : {}),
        ...(out.ETag ? { etag: out.ETag } : {}),
      };
      if (range) {
        result.contentRange = parsed
          ? { start: Number(parsed[1]), end: Number(parsed[2]) }
          : { start: 0, end: contentLength - 1 };
      }
      return result;
    } catch (err) {
      if (isNotFound(err)) throw new ObjectNotFoundError(key);
      if (range && (s3Status(err) === 416 || s3Code(err) === 'InvalidRange')) {
        throw new InvalidRangeError(key, range);
      }
      throw err;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    assertValidKey(key);
    const out = await this.headRaw(key);
    if (!out) return undefined;
    const sha256 = out.Metadata?.sha256;
    return {
      key,
      size: out.ContentLength ?? 0,
      lastModified: out.LastModified ?? new Date(0),
      ...(out.ContentType ? { contentType: out.ContentType } : {}),
      ...(out.ETag ? { etag: out.ETag } : {}),
      ...(sha256 && SHA256_HEX.test(sha256) ? { sha256 } : {}),
    };
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async list(prefix: string, opts?: ListOptions): Promise<ListResult> {
    assertValidPrefix(prefix);
    const { cursor, limit } = validateListOptions(opts);
    // The cursor is the last key of the previous page (StartAfter), the same in both stores.
    const out = await this.client.send(
      new ListObjectsV2Command({
        Bucket: this.bucket,
        ...(prefix ? { Prefix: prefix } : {}),
        ...(cursor ? { StartAfter: cursor } : {}),
        MaxKeys: limit,
      }),
    );
    const keys = (out.Contents ?? []).flatMap((o) =>
      o.Key === undefined
        ? []
        : [{ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) }],
    );
    const last = keys[keys.length - 1];
    return { keys, ...(out.IsTruncated && last ? { nextCursor: last.key } : {}) };
  }

  async ping(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  close(): Promise<void> {
    this.client.destroy();
    return Promise.resolve();
  }

  private async headRaw(key: string): Promise<HeadObjectCommandOutput | undefined> {
    try {
      return await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** SHA-256 of what is stored under `key`: from metadata, or by reading the bytes. */
  private async storedSha256(key: string): Promise<string | undefined> {
    const info = await this.head(key);
    if (!info) return undefined;
    if (info.sha256) return info.sha256;
    try {
      const { body } = await this.get(key);
      return await sha256OfStream(body);
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return undefined;
      throw err;
    }
  }

  private async resolveExisting(key: string, sha256: string, size: number): Promise<PutResult> {
    const existing = await this.storedSha256(key);
    if (existing === undefined) {
      throw new ObjectStoreError(
        `Object ${JSON.stringify(key)} was deleted while a create was refused; retry`,
      );
    }
    if (existing !== sha256) throw new ObjectConflictError(key, existing, sha256);
    return { created: false, sha256, size };
  }

  private async write(
    key: string,
    body: ObjectBody,
    rawOpts: PutOptions | undefined,
    ifAbsent: boolean,
  ): Promise<PutResult> {
    assertValidKey(key);
    const opts = validatePutOptions(rawOpts);
    validateBody(body);
    const contentType = opts.contentType ?? contentTypeForKey(key);
    // Look one part ahead: a body that ends within the first part and is under the
    // threshold goes in one PutObject, anything else in a multipart upload.
    const parts = chunksOf(body, this.partSize)[Symbol.asyncIterator]();
    const first = await parts.next();
    const second = await parts.next();
    const firstBuf = first.done ? Buffer.alloc(0) : first.value;
    if (second.done && firstBuf.length < this.threshold) {
      const meter = new BodyMeter();
      meter.update(firstBuf);
      const sha256 = meter.finish(key, opts);
      return this.putSingle(key, firstBuf, sha256, contentType, ifAbsent);
    }
    async function* all(): AsyncGenerator<Buffer> {
      yield firstBuf;
      if (second.done) return;
      yield second.value;
      for (let next = await parts.next(); !next.done; next = await parts.next()) yield next.value;
    }
    try {
      return await this.putMultipart(key, all(), opts, contentType, ifAbsent);
    } finally {
      // Closes the caller's stream if we stopped early (conflict found, failed part).
      await parts.return(undefined);
    }
  }

  private async putSingle(
    key: string,
    buf: Buffer,
    sha256: string,
    contentType: string,
    ifAbsent: boolean,
  ): Promise<PutResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        const command = new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: buf,
          ContentLength: buf.length,
          ContentType: contentType,
          Metadata: { sha256 },
          ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
          ...(ifAbsent ? { IfNoneMatch: '*' } : {}),
        });
        command.middlewareStack.add(
          (next) => (args) => {
            setPayloadHash(args.request, sha256);
            return next(args);
          },
          { step: 'build', priority: 'low', name: KNOWN_PAYLOAD_HASH },
        );
        const out = await this.client.send(command);
        return { created: true, sha256, size: buf.length, ...(out.ETag ? { etag: out.ETag } : {}) };
      } catch (err) {
        if (ifAbsent && isPreconditionFailed(err)) {
          return this.resolveExisting(key, sha256, buf.length);
        }
        if (isConditionalConflict(err) && attempt < 5) {
          await sleep(50 * 2 ** attempt);
          continue;
        }
        throw err;
      }
    }
  }

  private async putMultipart(
    key: string,
    chunks: AsyncGenerator<Buffer>,
    opts: PutOptions,
    contentType: string,
    ifAbsent: boolean,
  ): Promise<PutResult> {
    // A retried upload of a large object the caller can name by hash: settle it without
    // sending the bytes again.
    const existing = ifAbsent && opts.sha256 ? await this.headRaw(key) : undefined;
    if (existing && opts.sha256) {
      return this.resolveExisting(key, opts.sha256, existing.ContentLength ?? 0);
    }
    const created = await this.client.send(
      new CreateMultipartUploadCommand({
        Bucket: this.bucket,
        Key: key,
        ContentType: contentType,
        ...(opts.sha256 ? { Metadata: { sha256: opts.sha256 } } : {}),
      }),
    );
    const uploadId = created.UploadId;
    if (!uploadId) throw new ObjectStoreError('S3 returned no multipart upload id');
    const meter = new BodyMeter();
    let sha256: string | undefined;
    try {
      const parts = await this.uploadParts(key, uploadId, chunks, meter);
      sha256 = meter.finish(key, opts);
      const out = await this.completeMultipart(key, uploadId, parts, ifAbsent);
      return {
        created: true,
        sha256,
        size: meter.bytes,
        ...(out.ETag ? { etag: out.ETag } : {}),
      };
    } catch (err) {
      await this.client
        .send(
          new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }),
        )
        .catch(() => undefined);
      if (ifAbsent && sha256 && isPreconditionFailed(err)) {
        return this.resolveExisting(key, sha256, meter.bytes);
      }
      throw err;
    }
  }

  private async uploadParts(
    key: string,
    uploadId: string,
    chunks: AsyncGenerator<Buffer>,
    meter: BodyMeter,
  ): Promise<CompletedPart[]> {
    const done: CompletedPart[] = [];
    const inflight = new Set<Promise<void>>();
    let failure: { error: unknown } | undefined;
    let partNumber = 0;
    for await (const chunk of chunks) {
      if (failure) break;
      partNumber += 1;
      if (partNumber > S3_MAX_PARTS) {
        throw new InvalidArgumentError('object needs more than 10000 parts: raise partSizeBytes');
      }
      meter.update(chunk);
      const n = partNumber;
      const task: Promise<void> = this.client
        .send(
          new UploadPartCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber: n,
            Body: chunk,
            ContentLength: chunk.length,
          }),
        )
        .then((out) => {
          done.push({ ETag: out.ETag, PartNumber: n });
        })
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => inflight.delete(task));
      inflight.add(task);
      while (inflight.size >= this.partConcurrency) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    if (failure) throw failure.error;
    return done.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
  }

  private async completeMultipart(
    key: string,
    uploadId: string,
    parts: CompletedPart[],
    ifAbsent: boolean,
  ) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: uploadId,
            MultipartUpload: { Parts: parts },
            ...(ifAbsent ? { IfNoneMatch: '*' } : {}),
          }),
        );
      } catch (err) {
        if (isConditionalConflict(err) && attempt < 5) {
          await sleep(50 * 2 ** attempt);
          continue;
        }
        throw err;
      }
    }
  }
}
