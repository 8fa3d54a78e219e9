import { clearedSessionCookie, readCookie, SESSION_COOKIE, sessionCookie } from './cookies';
import { presentedToken } from './auth.guard';
import type { AuthenticatedRequest } from './current-user.decorator';

describe('session cookie', () => {
  it('is HttpOnly, SameSite=Strict, Path=/ and Secure only when asked', () => {
    expect(sessionCookie('t', { secure: false, maxAgeSeconds: 60 })).toBe(
      `${SESSION_COOKIE}=t; Path=/; HttpOnly; SameSite=Strict; Max-Age=60`,
    );
    expect(sessionCookie('t', { secure: true, maxAgeSeconds: 60 })).toMatch(/; Secure$/);
    expect(clearedSessionCookie(false)).toContain('Max-Age=0');
  });

  it('reads one cookie from a Cookie header', () => {
    expect(readCookie('a=1; sessionrec_session=tok; b=2', SESSION_COOKIE)).toBe('tok');
    expect(readCookie('a=1', SESSION_COOKIE)).toBeUndefined();
    expect(readCookie(undefined, SESSION_COOKIE)).toBeUndefined();
  });

  it('prefers the Authorization header over the cookie', () => {
    const request = (headers: Record<string, string>) =>
      ({ headers }) as unknown as AuthenticatedRequest;
    expect(
      presentedToken(request({ authorization: 'Bearer abc', cookie: 'sessionrec_session=x' })),
    ).toBe('abc');
    expect(presentedToken(request({ cookie: 'sessionrec_session=x' }))).toBe('x');
    expect(
      presentedToken(request({ authorization: 'Basic abc', cookie: 'sessionrec_session=x' })),
    ).toBeUndefined();
  });
});
