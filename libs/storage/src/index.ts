/** Object store: S3 and the local filesystem behind one interface (see docs/storage.md). */
export * from './errors';
export * from './object-store';
export {
  assertValidKey,
  assertValidPrefix,
  contentTypeForKey,
  MAX_KEY_BYTES,
  MAX_SEGMENT_BYTES,
} from './keys';
export * from './recording-keys';
export { FsObjectStore, type FsObjectStoreOptions } from './fs-object-store';
export {
  S3ObjectStore,
  S3_MIN_PART_BYTES,
  type S3Credentials,
  type S3ObjectStoreOptions,
} from './s3-object-store';
export * from './factory';
