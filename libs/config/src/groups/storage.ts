/** Where recording bytes live: a local directory or an S3-compatible bucket. */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import {
  defaultVar,
  envBoolean,
  envInteger,
  envString,
  envUrl,
  Invalid,
  optionalVar,
  parsed,
  setTogether,
} from '../env-var';

export type StorageLocation =
  | { readonly driver: 'file'; readonly root: string; readonly url: string }
  | {
      readonly driver: 's3';
      readonly bucket: string;
      readonly url: string;
    };

/** Lenient on purpose: S3-compatible servers accept more than AWS's current naming rules. */
const BUCKET = /^[a-z0-9][a-z0-9._-]{1,62}$/;
const USAGE = 'must be file:///absolute/path, file://./relative/path or s3://bucket';

/** Parses STORAGE_URL; a relative file path resolves against the current directory. */
export function parseStorageUrl(raw: string, cwd = process.cwd()): StorageLocation | Invalid {
  const value = raw.trim();
  if (value.startsWith('file://')) {
    const rest = value.slice('file://'.length);
    if (rest === '') return new Invalid(USAGE);
    let root: string;
    try {
      root = rest.startsWith('/') ? fileURLToPath(value) : resolve(cwd, decodeURIComponent(rest));
    } catch {
      return new Invalid(USAGE);
    }
    if (!isAbsolute(root)) return new Invalid(USAGE);
    return { driver: 'file', root, url: pathToFileURL(root).href };
  }
  if (value.startsWith('s3://')) {
    const [bucket = '', ...rest] = value.slice('s3://'.length).split('/');
    if (!BUCKET.test(bucket)) {
      return new Invalid('must name a bucket: s3://bucket (lower-case, 2-63 characters)');
    }
    // Keys already carry their own layout (recordings/yyyy/mm/dd/...); a bucket per
    // installation keeps deletion and lifecycle rules simple, so no key prefix.
    if (rest.some((part) => part !== '')) {
      return new Invalid(
        'must be s3://bucket without a key prefix (use a bucket per installation)',
      );
    }
    return { driver: 's3', bucket, url: `s3://${bucket}` };
  }
  return new Invalid(USAGE);
}

export const storageEnv = setTogether(
  z.object({
    STORAGE_URL: defaultVar(parsed(parseStorageUrl), 'file://./data/objects', {
      description:
        'Object store: file:///path (relative paths resolve from the working directory) or s3://bucket',
    }),
    STORAGE_FS_WRITE_THREADS: optionalVar(envInteger(0, 64), {
      description:
        'Threads writing objects to a filesystem store (0: on the event loop); default 2-4 by cores',
    }),
    S3_ENDPOINT: optionalVar(envUrl(['http:', 'https:'], 'must be an http(s):// URL'), {
      description: 'S3-compatible endpoint (MinIO, Ceph...); unset for AWS',
    }),
    S3_REGION: defaultVar(
      envString(/^[a-z0-9-]{1,40}$/, 'must be a region name such as us-east-1'),
      'us-east-1',
      { description: 'S3 region' },
    ),
    S3_FORCE_PATH_STYLE: defaultVar(envBoolean, 'false', {
      description:
        'Use path-style bucket addressing (needed by MinIO and most S3-compatible servers)',
    }),
    AWS_ACCESS_KEY_ID: optionalVar(envString(/^\S+$/, 'must not contain spaces'), {
      description: 'S3 access key id (unset: the AWS default credential chain)',
      secret: true,
    }),
    AWS_SECRET_ACCESS_KEY: optionalVar(envString(/^\S+$/, 'must not contain spaces'), {
      description: 'S3 secret access key',
      secret: true,
    }),
  }),
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
);

export type StorageEnv = z.output<typeof storageEnv>;
