import { InvalidKeyError } from './errors';
import { assertValidKey, assertValidPrefix, contentTypeForKey } from './keys';

describe('assertValidKey', () => {
  it.each([
    'a',
    'recordings/2025/01/31/0b7c/0000000001.m4s',
    'a/b.c/d-e_f',
    'é/ü',
    'x'.repeat(255),
  ])('accepts %s', (key) => {
    expect(assertValidKey(key)).toBe(key);
  });

  it.each([
    ['', /empty/],
    ['../x', /"\."/],
    ['a/..', /"\."/],
    ['./a', /"\."/],
    ['/etc/passwd', /absolute/],
    ['a\\b', /backslash/],
    ['a\0b', /control/],
    ['a\nb', /control/],
    ['a//b', /empty path segment/],
    ['a/', /ends with/],
    ['x'.repeat(256), /segment longer/],
    [`${'abc/'.repeat(256)}x`, /longer than 1024/],
    ['\ud800x', /Unicode/],
  ])('rejects %j', (key, reason) => {
    expect(() => assertValidKey(key)).toThrow(InvalidKeyError);
    expect(() => assertValidKey(key)).toThrow(reason);
  });

  it('rejects non-strings', () => {
    expect(() => assertValidKey(42)).toThrow(InvalidKeyError);
    expect(() => assertValidKey(undefined)).toThrow(InvalidKeyError);
  });

  it('keeps hostile keys short and quoted in messages', () => {
    expect(() => assertValidKey(`a\n${'x'.repeat(5000)}`)).toThrow(/^Invalid object key "a\\nx+…"/);
  });
});

describe('assertValidPrefix', () => {
  it('accepts the empty prefix, folders and partial names', () => {
    expect(assertValidPrefix('')).toBe('');
    expect(assertValidPrefix('recordings/')).toBe('recordings/');
    expect(assertValidPrefix('recordings/20')).toBe('recordings/20');
  });

  it('rejects escapes', () => {
    for (const p of ['../', '/a', 'a\\', 'a//b', 'a\0']) {
      expect(() => assertValidPrefix(p)).toThrow(InvalidKeyError);
    }
  });
});

describe('contentTypeForKey', () => {
  it('maps the recording extensions', () => {
    expect(contentTypeForKey('r/0000000001.m4s')).toBe('video/iso.segment');
    expect(contentTypeForKey('r/init.mp4')).toBe('video/mp4');
    expect(contentTypeForKey('r/0000000001.cast')).toBe('application/x-asciicast');
    expect(contentTypeForKey('r/manifest.json')).toBe('application/json');
    expect(contentTypeForKey('r.d/noext')).toBe('application/octet-stream');
  });
});
