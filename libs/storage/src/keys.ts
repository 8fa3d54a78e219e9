/**
 * Object keys are built from agent-supplied ids and read back from URLs, and the
 * filesystem store turns them into paths: one validation, shared by both stores, keeps
 * a key from escaping the root or meaning different things on S3 and on disk.
 */
import { InvalidKeyError } from './errors';

/** S3's own limit, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;
/** Most filesystems' limit for one path component, so a key works on both stores. */
export const MAX_SEGMENT_BYTES = 255;

// Control characters (C0 and DEL): NUL truncates paths, the rest corrupt logs and listings.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// A lone surrogate has no UTF-8 form: S3 and the filesystem would each mangle it differently.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function keyProblem(key: string, allowPartial: boolean): string | undefined {
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return `longer than ${MAX_KEY_BYTES} bytes`;
  if (CONTROL.test(key)) return 'contains a control character';
  if (key.includes('\\')) return 'contains a backslash';
  if (key.startsWith('/')) return 'is absolute (starts with "/")';
  if (LONE_SURROGATE.test(key)) return 'is not well-formed Unicode';
  const segments = key.split('/');
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] ?? '';
    const last = i === segments.length - 1;
    if (segment === '') {
      if (last && allowPartial) continue;
      return last ? 'ends with "/"' : 'has an empty path segment';
    }
    if (segment.startsWith('.')) {
      return 'has a segment starting with "." (reserved; also rules out "." and "..")';
    }
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) {
      return `has a segment longer than ${MAX_SEGMENT_BYTES} bytes`;
    }
  }
  return undefined;
}

/** Throws InvalidKeyError unless `key` is a safe object key; returns it for chaining. */
export function assertValidKey(key: unknown): string {
  if (typeof key !== 'string') throw new InvalidKeyError(String(key), 'is not a string');
  if (key === '') throw new InvalidKeyError(key, 'is empty');
  const problem = keyProblem(key, false);
  if (problem) throw new InvalidKeyError(key, problem);
  return key;
}

/** A listing prefix: empty, or the start of a valid key (it may end with "/"). */
export function assertValidPrefix(prefix: unknown): string {
  if (typeof prefix !== 'string') throw new InvalidKeyError(String(prefix), 'is not a string');
  if (prefix === '') return prefix;
  const problem = keyProblem(prefix, true);
  if (problem) throw new InvalidKeyError(prefix, `prefix ${problem}`);
  return prefix;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  m4s: 'video/iso.segment',
  mp4: 'video/mp4',
  cast: 'application/x-asciicast',
  json: 'application/json',
  txt: 'text/plain; charset=utf-8',
};

/**
 * The content type implied by a key's extension. The filesystem store keeps no
 * metadata beside the bytes, so it reports this; the S3 store uses it as the default.
 */
export function contentTypeForKey(key: string): string {
  const dot = key.lastIndexOf('.');
  const slash = key.lastIndexOf('/');
  const ext = dot > slash ? key.slice(dot + 1).toLowerCase() : '';
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}
