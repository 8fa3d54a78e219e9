// The AWS SDK warns once that Node 20 support ends in 2027: noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { InvalidArgumentError } from './errors';
import { createObjectStore, InvalidStorageUrlError, s3SettingsFromEnv } from './factory';
import { FsObjectStore } from './fs-object-store';
import { S3ObjectStore } from './s3-object-store';

describe('createObjectStore', () => {
  it('opens file:///abs and file:./relative as the filesystem store', async () => {
    const abs = createObjectStore('file:///var/lib/sessionrec');
    expect(abs).toBeInstanceOf(FsObjectStore);
    expect((abs as FsObjectStore).root).toBe('/var/lib/sessionrec');
    const rel = createObjectStore('file:./data/objects', {}, '/srv/app');
    expect((rel as FsObjectStore).root).toBe('/srv/app/data/objects');
    await abs.close();
  });

  it('opens s3://bucket with the given settings', async () => {
    const store = createObjectStore('s3://recordings', {
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
    });
    expect(store).toBeInstanceOf(S3ObjectStore);
    expect((store as S3ObjectStore).bucket).toBe('recordings');
    expect(store.description).toBe('s3://recordings at http://127.0.0.1:9000');
    await store.close();
  });

  it.each(['', 'http://x', 'minio://b', 's3://', 's3://b/prefix', 'file:', 'gs://b'])(
    'rejects %j with a clear error',
    (url) => {
      expect(() => createObjectStore(url)).toThrow(InvalidStorageUrlError);
    },
  );

  it('rejects an invalid bucket name and impossible part sizes', () => {
    expect(() => createObjectStore('s3://Bad_Bucket')).toThrow(InvalidArgumentError);
    expect(() => createObjectStore('s3://b-1', { partSizeBytes: 1024 })).toThrow(/5 MiB/);
    expect(() =>
      createObjectStore('s3://b-1', {
        partSizeBytes: 5 * 1024 * 1024,
        multipartThresholdBytes: 6 * 1024 * 1024,
      }),
    ).toThrow(/must not exceed/);
  });
});

describe('s3SettingsFromEnv', () => {
  it('reads endpoint, region, path style and keys', () => {
    expect(
      s3SettingsFromEnv({
        S3_ENDPOINT: 'http://127.0.0.1:9000',
        S3_REGION: 'eu-west-1',
        S3_FORCE_PATH_STYLE: 'true',
        AWS_ACCESS_KEY_ID: 'id',
        AWS_SECRET_ACCESS_KEY: 'secret',
      }),
    ).toEqual({
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
    });
    expect(s3SettingsFromEnv({})).toEqual({});
  });

  it('rejects a malformed flag', () => {
    expect(() => s3SettingsFromEnv({ S3_FORCE_PATH_STYLE: 'maybe' })).toThrow(InvalidArgumentError);
  });
});
