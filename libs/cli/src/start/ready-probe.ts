/**
 * Asks a service's GET /health/ready once. Plain node:http without keep-alive, so a probe
 * never leaves a socket open behind it.
 */
import { request } from 'node:http';

export type ProbeResult =
  { readonly ready: true } | { readonly ready: false; readonly why: string };

export function probeReady(url: string, timeoutMs = 2000): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(
        res.statusCode === 200 ? { ready: true } : { ready: false, why: `HTTP ${res.statusCode}` },
      );
    });
    req.once('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.once('error', (error: NodeJS.ErrnoException) =>
      resolve({
        ready: false,
        why: error.code === 'ECONNREFUSED' ? 'not listening yet' : error.message,
      }),
    );
    req.end();
  });
}
