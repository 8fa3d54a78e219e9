import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestLogLevel } from './telemetry.module';

const req = (url: string) => ({ url }) as IncomingMessage;
const res = (statusCode: number) => ({ statusCode }) as ServerResponse;

describe('requestLogLevel', () => {
  const level = requestLogLevel(/^\/agent\/v1\/(sessions|recordings)\//);

  it('logs successes of quiet paths at debug, others at info', () => {
    expect(level(req('/agent/v1/sessions/abc/events'), res(202))).toBe('debug');
    expect(level(req('/agent/v1/sessions'), res(201))).toBe('info');
    expect(level(req('/api/v1/sessions'), res(200))).toBe('info');
  });

  it('never quiets failures', () => {
    expect(level(req('/agent/v1/recordings/r/segments/1'), res(409))).toBe('warn');
    expect(level(req('/agent/v1/recordings/r/segments/1'), res(503))).toBe('error');
    expect(level(req('/agent/v1/sessions/s/events'), res(200), new Error('x'))).toBe('error');
  });

  it('quiets nothing without paths', () => {
    expect(requestLogLevel(undefined)(req('/agent/v1/sessions/s/events'), res(202))).toBe('info');
  });
});
