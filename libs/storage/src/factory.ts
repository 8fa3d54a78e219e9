/**
 * STORAGE_URL → an ObjectStore: `file:///abs/path` or `file:./relative` for the local
 * filesystem, `s3://bucket` for S3 (endpoint, region and credentials come as options,
 * never in the URL, so the URL can be logged).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from './errors';
import { FsObjectStore } from './fs-object-store';
import { type ObjectStore } from './object-store';
import { S3ObjectStore, type S3ObjectStoreOptions } from './s3-object-store';

export type S3Settings = Omit<S3ObjectStoreOptions, 'bucket'>;

export class InvalidStorageUrlError extends InvalidArgumentError {}

function parseFileUrl(url: string, cwd: string): string {
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url);
    } catch (err) {
      throw new InvalidStorageUrlError(
        `Invalid file URL in STORAGE_URL: ${(err as Error).message}`,
      );
    }
  }
  const rest = decodeURIComponent(url.slice('file:'.length));
  if (rest === '') throw new InvalidStorageUrlError('STORAGE_URL file: needs a path');
  return path.resolve(cwd, rest);
}

export function createObjectStore(
  url: string,
  s3: S3Settings = {},
  cwd: string = process.cwd(),
): ObjectStore {
  if (typeof url !== 'string' || url.trim() === '') {
    throw new InvalidStorageUrlError('STORAGE_URL is empty');
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'file') return new FsObjectStore({ root: parseFileUrl(url, cwd) });
  if (scheme === 's3') {
    const m = /^s3:\/\/([^/?#]+)\/?$/i.exec(url);
    if (!m?.[1]) {
      throw new InvalidStorageUrlError(
        'STORAGE_URL must be s3://bucket (no key prefix; set the endpoint with S3_ENDPOINT)',
      );
    }
    return new S3ObjectStore({ ...s3, bucket: m[1] });
  }
  throw new InvalidStorageUrlError(
    `Unsupported STORAGE_URL scheme ${JSON.stringify(scheme ?? url.slice(0, 16))}: use file:///path, file:./relative or s3://bucket`,
  );
}

function flag(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^(1|true|yes)$/i.test(value)) return true;
  if (/^(0|false|no)$/i.test(value)) return false;
  throw new InvalidArgumentError(`${name} must be true or false`);
}

/**
 * S3 settings from S3_ENDPOINT, S3_REGION (or AWS_REGION), S3_FORCE_PATH_STYLE and
 * AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY. Without keys, the SDK's default chain applies.
 */
export function s3SettingsFromEnv(env: NodeJS.ProcessEnv = process.env): S3Settings {
  const settings: S3Settings = {};
  if (env.S3_ENDPOINT) settings.endpoint = env.S3_ENDPOINT;
  const region = env.S3_REGION || env.AWS_REGION;
  if (region) settings.region = region;
  const pathStyle = flag(env.S3_FORCE_PATH_STYLE, 'S3_FORCE_PATH_STYLE');
  if (pathStyle !== undefined) settings.forcePathStyle = pathStyle;
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    settings.credentials = {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
  }
  return settings;
}
