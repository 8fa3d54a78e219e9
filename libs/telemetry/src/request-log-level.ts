import type { IncomingMessage, ServerResponse } from 'node:http';

/** The level of a request's log line: failures stand out, quiet routes' successes do not. */
export function requestLogLevel(quietSuccesses: boolean) {
  return (_req: IncomingMessage, res: ServerResponse, error?: Error) => {
    if (error || res.statusCode >= 500) return 'error';
    if (res.statusCode >= 400) return 'warn';
    return quietSuccesses ? 'debug' : 'info';
  };
}
