import { PAYLOAD_HASH_HEADER, setPayloadHash } from './s3-payload-hash';

const HASH = 'a'.repeat(64);

describe('setPayloadHash', () => {
  it('gives the signer the known SHA-256 when no payload hash is set', () => {
    const request = { headers: { host: 'bucket.example' } as Record<string, string> };
    setPayloadHash(request, HASH);
    expect(request.headers[PAYLOAD_HASH_HEADER]).toBe(HASH);
  });

  it('leaves a payload hash chosen by an earlier step alone, in any letter case', () => {
    const request = { headers: { 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' } };
    setPayloadHash(request, HASH);
    expect(request.headers).toEqual({ 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' });
  });

  it('ignores what is not a request with headers', () => {
    for (const request of [undefined, null, 'GET /', {}, { headers: null }]) {
      expect(() => setPayloadHash(request, HASH)).not.toThrow();
    }
  });
});
