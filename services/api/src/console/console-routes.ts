/**
 * The console's client-side routes: the api answers each with index.html, and the
 * browser's router takes over. Only these paths fall back to the console; /api, /agent,
 * /health and /metrics never do, so an unknown API path still gets a JSON 404. Keep in
 * step with services/console/src/App.tsx.
 */
export const CONSOLE_ROUTES = [
  '/',
  '/login',
  '/search',
  '/sessions/:sessionId',
  '/live',
  '/policies',
  '/agents',
  '/share/:token',
] as const;

/**
 * What a console page may load: only this origin (scripts, styles, API calls), blob:
 * media and workers for hls.js's MediaSource, inline style attributes (the player sets
 * positions), and no framing (clickjacking of share links or actions).
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "media-src 'self' blob:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
