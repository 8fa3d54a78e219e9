/**
 * SigV4 signs a hash of the request payload (header `x-amz-content-sha256`). For a
 * PutObject of a Buffer the payload is exactly the body, whose SHA-256 the store has just
 * computed and checked; handing it to the signer spares a second pass over every object on
 * the event loop (~70 µs per 100 KB segment). S3 checks the header against the bytes it
 * receives, so a wrong value would be refused, never stored.
 */
export const PAYLOAD_HASH_HEADER = 'x-amz-content-sha256';

/** The name of the build-step middleware that sets it (see S3ObjectStore.putSingle). */
export const KNOWN_PAYLOAD_HASH = 'sessionrecKnownPayloadHash';

/**
 * Sets the payload hash on an outgoing request, unless an earlier step already chose one
 * (a streaming or unsigned payload), in whatever letter case it used.
 */
export function setPayloadHash(request: unknown, sha256: string): void {
  if (typeof request !== 'object' || request === null || !('headers' in request)) return;
  const headers = request.headers;
  if (typeof headers !== 'object' || headers === null) return;
  if (Object.keys(headers).some((h) => h.toLowerCase() === PAYLOAD_HASH_HEADER)) return;
  (headers as Record<string, string>)[PAYLOAD_HASH_HEADER] = sha256;
}
