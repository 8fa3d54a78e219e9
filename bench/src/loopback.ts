/** The benchmark only ever talks to this machine: refuse any other host before connecting. */
const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[?::1\]?)$/i;

export class NonLocalTargetError extends Error {
  constructor(what: string, url: string) {
    super(`${what} must point at 127.0.0.1/localhost for the benchmark, not ${url}`);
    this.name = 'NonLocalTargetError';
  }
}

export function assertLoopbackUrl(what: string, url: string): string {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    throw new NonLocalTargetError(what, JSON.stringify(url));
  }
  if (!LOOPBACK.test(host)) throw new NonLocalTargetError(what, host);
  return url;
}
