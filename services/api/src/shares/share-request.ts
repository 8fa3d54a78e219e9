/**
 * The body of `POST /recordings/{id}/shares`: a clip `[from, to)` in session-relative
 * milliseconds and when the link stops working. Bounds keep a link from becoming a
 * standing grant to a whole day of recording.
 */
import { z } from 'zod';
import { decode } from '../http/validate';
import { ValidationError } from '../http/api-errors';

export const MAX_CLIP_MS = 4 * 3_600_000;
export const MAX_SHARE_LIFETIME_MS = 90 * 86_400_000;
const MIN_SHARE_LIFETIME_MS = 60_000;

const offset = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const createShareBody = z.strictObject({
  from: offset,
  to: offset,
  expiresAt: z.iso.datetime({ offset: true }),
});

export interface ShareRequest {
  fromMs: number;
  toMs: number;
  expiresAt: Date;
}

export function shareRequest(body: unknown, now = Date.now()): ShareRequest {
  const parsed = decode(createShareBody, body, 'body');
  if (parsed.to <= parsed.from) throw new ValidationError('body.to: must be after from');
  if (parsed.to - parsed.from > MAX_CLIP_MS) {
    throw new ValidationError(`body.to: a shared clip is at most ${MAX_CLIP_MS / 3_600_000} hours`);
  }
  const expiresAt = new Date(parsed.expiresAt);
  if (expiresAt.getTime() < now + MIN_SHARE_LIFETIME_MS) {
    throw new ValidationError('body.expiresAt: must be at least a minute in the future');
  }
  if (expiresAt.getTime() > now + MAX_SHARE_LIFETIME_MS) {
    throw new ValidationError(
      `body.expiresAt: a link lives at most ${MAX_SHARE_LIFETIME_MS / 86_400_000} days`,
    );
  }
  return { fromMs: parsed.from, toMs: parsed.to, expiresAt };
}
