/**
 * The api serves the built console: index.html for client routes (with a CSP), hashed
 * assets with long caching, and never the console for API or operational paths.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { type ApiHarness, startApi } from '../../test/api-harness';
import { CONSOLE_DIST } from './console-files';

/** A checkout that only ran `tsc -b` has no console build yet; `npm run build` makes one. */
async function ensureConsoleBuilt(): Promise<void> {
  if (existsSync(path.join(CONSOLE_DIST, 'index.html'))) return;
  await promisify(execFile)('npm', ['run', 'build', '-w', '@sessionrec/console'], {
    cwd: path.resolve(CONSOLE_DIST, '../../..'),
  });
}

describe('api serves the web console', () => {
  let harness: ApiHarness;

  beforeAll(async () => {
    await ensureConsoleBuilt();
    harness = await startApi('api-console');
  }, 120_000);

  afterAll(async () => {
    await harness?.cleanup();
  });

  it.each(['/', '/login', '/search?user=alice', '/sessions/abc?t=5000', '/share/srs_x', '/live'])(
    'answers the client route %s with index.html',
    async (route) => {
      const res = await fetch(`${harness.url}${route}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      const html = await res.text();
      expect(html).toContain('<div id="root"></div>');
      expect(html).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js">/);
    },
  );

  it('serves the hashed assets with long caching and their content type', async () => {
    const files = await readdir(path.join(CONSOLE_DIST, 'assets'));
    const js = files.find((f) => f.endsWith('.js'));
    expect(js).toBeDefined();
    const res = await fetch(`${harness.url}/assets/${js}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('javascript');
    expect(res.headers.get('cache-control')).toContain('immutable');
    await res.arrayBuffer();
    const missing = await fetch(`${harness.url}/assets/nothing-here.js`);
    expect(missing.status).toBe(404);
    await missing.arrayBuffer();
    const traversal = await fetch(`${harness.url}/assets/..%2f..%2fpackage.json`);
    expect([403, 404]).toContain(traversal.status);
    expect(await traversal.text()).not.toContain('"workspaces"');
  });

  it.each([
    '/api/v1/nothing',
    '/api/nothing',
    '/agent/v1/x',
    '/health/nothing',
    '/metricsx',
    '/other',
  ])('never falls back to the console for %s', async (route) => {
    const res = await fetch(`${harness.url}${route}`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/json');
  });

  it('keeps API answers as JSON errors', async () => {
    const res = await fetch(`${harness.url}/api/v1/sessions`);
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { code: string } };
    expect(body.error.code).toBe('unauthorized');
  });

  it('lists the console routes nowhere in the API document', async () => {
    const res = await fetch(`${harness.url}/api/docs/json`);
    const doc = (await res.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).filter((p) => !p.startsWith('/api/'))).toEqual([]);
  });
});
