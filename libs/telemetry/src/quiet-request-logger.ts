/**
 * The request log of hot routes, without pino-http: one line when the response is done,
 * at debug for a success and warn/error for a failure, with the same shape pino-http
 * writes (`req`, `res`, `responseTime`, trace ids) — and nothing at all when that level is
 * off, which is the common case for successes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Logger, stdSerializers } from 'pino';
import { spanOfRequest } from './http-tracing.interceptor';
import { redactingRequestSerializer } from './redaction';
import { requestLogLevel } from './request-log-level';
import { traceFieldsOf } from './trace-fields';

const levelOf = requestLogLevel(true);

export function quietRequestLogger(logger: Logger) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const started = performance.now();
    const done = (): void => {
      res.off('finish', done);
      res.off('close', done);
      const level = levelOf(req, res);
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        {
          req: redactingRequestSerializer(stdSerializers.req(req)),
          res: { statusCode: res.statusCode },
          responseTime: Math.round(performance.now() - started),
          ...traceFieldsOf(spanOfRequest(req)),
        },
        res.writableFinished ? 'request completed' : 'request aborted',
      );
    };
    res.once('finish', done);
    res.once('close', done);
    next();
  };
}
