/** Conversions between NATS message headers and plain records, shared by every part. */
import type { MsgHdrs } from '@nats-io/nats-core';

/** First value of each header (what JetStream and our consumers read). */
export function headersToRecord(h: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  for (const key of h.keys()) out[key] = h.get(key);
  return out;
}

/** Header values may not span lines; long reasons are cut so the message stays small. */
export function headerValue(value: string, max = 1024): string {
  const single = value.replace(/[\r\n]+/g, ' ').trim();
  return single.length > max ? `${single.slice(0, max - 3)}...` : single;
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,128}$/;

export function isValidHeaderName(name: string): boolean {
  return HEADER_NAME.test(name);
}
