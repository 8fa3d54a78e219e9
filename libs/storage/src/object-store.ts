/**
 * The object store contract that ingest, the player, retention and fsck program
 * against; S3 and the local filesystem implement it identically (one contract test
 * suite runs against both).
 */
import { type Readable } from 'node:stream';

export type ObjectBody = Buffer | Readable;

export interface PutOptions {
  /** Stored by S3; the filesystem store derives the type from the key's extension. */
  contentType?: string;
  /** If given, the body must have exactly this many bytes or nothing is stored. */
  contentLength?: number;
  /** Lower-case hex SHA-256 of the body. If given, it is verified before the object appears. */
  sha256?: string;
  /**
   * The caller gives a Buffer body up: a store that writes in another thread may move the
   * body's memory there instead of copying it, after which the caller's Buffer is empty
   * (length 0). Only a Buffer that spans its whole memory is moved; others are copied.
   * Ingest hands each uploaded segment over: copying 100 KB into the write thread made that
   * thread's heap churn, and its garbage collection cost more CPU than the copy itself.
   */
  handOver?: boolean;
}

export interface PutResult {
  /** false: the key already held these exact bytes, and nothing changed. */
  created: boolean;
  etag?: string;
  /** SHA-256 of the bytes now under the key (always the caller's bytes). */
  sha256: string;
  size: number;
}

export interface ByteRange {
  /** First byte, zero-based. */
  start: number;
  /** Last byte, inclusive; omitted means "to the end". */
  end?: number;
}

export interface GetOptions {
  range?: ByteRange;
}

export interface GetResult {
  body: Readable;
  /** Size of the whole object. */
  size: number;
  /** Bytes in `body`: `size`, or the length of the range. */
  contentLength: number;
  /** The bytes returned, inclusive, when a range was asked for. */
  contentRange?: { start: number; end: number };
  contentType?: string;
  etag?: string;
}

export interface ObjectInfo {
  key: string;
  size: number;
  lastModified: Date;
  contentType?: string;
  etag?: string;
  /** Known when the store recorded it at write time (S3 metadata `sha256`). */
  sha256?: string;
}

export interface ListOptions {
  /** The `nextCursor` of the previous page. */
  cursor?: string;
  /** Keys per page, 1..1000 (default 1000). */
  limit?: number;
}

export interface ListedObject {
  key: string;
  size: number;
  lastModified: Date;
}

export interface ListResult {
  /** In ascending UTF-8 byte order of the key, as S3 lists them. */
  keys: ListedObject[];
  /** Present when more keys follow. */
  nextCursor?: string;
}

export interface ObjectStore {
  /** A short description for logs ("s3://bucket", "file:///var/lib/...") without secrets. */
  readonly description: string;
  /**
   * Creates `key` unless it exists. Same bytes already there: `{created: false}`.
   * Different bytes there: throws ObjectConflictError. Never overwrites.
   */
  putIfAbsent(key: string, body: ObjectBody, opts?: PutOptions): Promise<PutResult>;
  /** Creates or deliberately replaces `key` (manifests); readers see old or new, never a mix. */
  put(key: string, body: ObjectBody, opts?: PutOptions): Promise<PutResult>;
  /** Throws ObjectNotFoundError when missing, InvalidRangeError for a range past the end. */
  get(key: string, opts?: GetOptions): Promise<GetResult>;
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Removes `key`; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Resolves when the store can be read and written; for readiness probes. */
  ping(): Promise<void>;
  /** Releases sockets and handles. */
  close(): Promise<void>;
}

export const DEFAULT_LIST_LIMIT = 1000;
export const MAX_LIST_LIMIT = 1000;
