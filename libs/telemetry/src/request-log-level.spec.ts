import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestLogLevel } from './request-log-level';

const req = (url: string) => ({ url }) as IncomingMessage;
const res = (statusCode: number) => ({ statusCode }) as ServerResponse;

describe('requestLogLevel', () => {
  it('logs successes of quiet routes at debug, of others at info', () => {
    expect(requestLogLevel(true)(req('/agent/v1/sessions/abc/events'), res(202))).toBe('debug');
    expect(requestLogLevel(false)(req('/api/v1/sessions'), res(200))).toBe('info');
  });

  it('never quiets failures', () => {
    for (const quiet of [true, false]) {
      const level = requestLogLevel(quiet);
      expect(level(req('/agent/v1/recordings/r/segments/1'), res(409))).toBe('warn');
      expect(level(req('/agent/v1/recordings/r/segments/1'), res(503))).toBe('error');
      expect(level(req('/agent/v1/sessions/s/events'), res(200), new Error('x'))).toBe('error');
    }
  });
});
