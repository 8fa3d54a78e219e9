/**
 * The console's session cookie: HttpOnly (scripts cannot read it), SameSite=Strict (no
 * cross-site requests carry it), Path=/ and Secure over HTTPS. Parsed by hand: one cookie
 * does not justify a plugin.
 */
export const SESSION_COOKIE = 'sessionrec_session';

export interface CookieOptions {
  readonly secure: boolean;
  readonly maxAgeSeconds: number;
}

export function sessionCookie(token: string, options: CookieOptions): string {
  return [
    `${SESSION_COOKIE}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`,
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', { secure, maxAgeSeconds: 0 });
}

/** The value of one cookie from a Cookie header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
