/**
 * The routes agents call thousands of times a second (segment upload, event and metric
 * batches, and the combined batches of many sessions), served on ingest's hot lane: a
 * Fastify instance of their own that the HTTP server hands their requests to, apart
 * from Nest (runService's `hotLane`; `isHotRequest` says which requests).
 *
 * Why: Nest's per-request pipeline (guard, interceptor chain in rxjs with an
 * AsyncResource.bind per step, param decorators, the router's execution context) cost
 * more CPU than the work these routes do; so did its middleware, which middie runs for
 * every request of an instance that has any: nestjs-pino's two (excluded for these
 * routes, but matched and checked on every request) and the quiet request log. In three
 * pairs of ingest benchmark runs, alternating, the lane took ingest's CPU per event batch
 * sent alone from 181-213 to 162-185 µs.
 *
 * Here the same steps are explicit and in the same order: the quiet request log and the
 * in-flight limit before the body is read, agent authentication, decoding with the
 * protocol's schemas, a server span and duration histogram, the handler. The lane has
 * its own body parser for segments and its own error handler, which answers as
 * AgentApiExceptionFilter does (Fastify's own errors mapped by status as Nest maps them,
 * then describeAgentError). Every other /agent/v1 route stays a Nest controller.
 */
import { BadRequestException, HttpException, type Logger } from '@nestjs/common';
import { context } from '@opentelemetry/api';
import { agentProtocol } from '@sessionrec/contracts';
import { type QuietRequestLog, traceHttpRequest } from '@sessionrec/telemetry';
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestHookHandler,
  RouteHandlerMethod,
} from 'fastify';
import type { AgentAuthService } from '../auth/agent-auth.service';
import { answerAgentError, describeAgentError } from '../http/api-exception.filter';
import { UnsupportedMediaTypeError } from '../http/api-errors';
import type { InflightLimiter } from '../http/inflight-limiter';
import { registerSegmentBodyParser, SEGMENT_CONTENT_TYPE } from '../http/segment-body-parser';
import { decode, segmentParams, sessionParams } from '../http/validate';
import type { BatchService } from './batch.service';
import type { SegmentService } from './segment.service';

const { AGENT_BASE_PATH } = agentProtocol;
type BatchItem = agentProtocol.BatchesRequest['batches'][number];

export const HOT_ROUTES = {
  segment: `${AGENT_BASE_PATH}/recordings/:recordingId/segments/:seq`,
  events: `${AGENT_BASE_PATH}/sessions/:sessionId/events`,
  metrics: `${AGENT_BASE_PATH}/sessions/:sessionId/metrics`,
  batches: `${AGENT_BASE_PATH}/batches`,
} as const;

export interface HotRouteDeps {
  readonly limiter: InflightLimiter;
  readonly retryAfterSeconds: number;
  readonly auth: AgentAuthService;
  readonly segments: SegmentService;
  readonly batches: BatchService;
  /** The request log the quiet routes of Nest get from their middleware. */
  readonly requestLog: QuietRequestLog;
  /** Logs an infrastructure failure or bug, as the exception filter does a request's. */
  readonly logger: Pick<Logger, 'warn' | 'error'>;
}

/** HOT_ROUTES as patterns: a parameter is one non-empty path segment. */
const HOT_ROUTE_PATTERNS = (
  [
    ['PUT', HOT_ROUTES.segment],
    ['POST', HOT_ROUTES.events],
    ['POST', HOT_ROUTES.metrics],
    ['POST', HOT_ROUTES.batches],
  ] as const
).map(([method, route]) => ({
  method,
  path: new RegExp(`^${route.replace(/:[A-Za-z]+/g, '[^/?#]+')}(?:[?#]|$)`),
}));

/** Whether a request is for one of the hot routes (method and path), and so the lane's. */
export function isHotRequest(method: string | undefined, url: string | undefined): boolean {
  if (url === undefined || !url.startsWith(AGENT_BASE_PATH)) return false;
  return HOT_ROUTE_PATTERNS.some((route) => route.method === method && route.path.test(url));
}

/**
 * Registers the hot routes on the lane, with what they need of Nest's request handling:
 * the segment body parser, the protocol's error answers and the quiet request log.
 */
export function registerHotRoutes(lane: FastifyInstance, deps: HotRouteDeps): void {
  registerSegmentBodyParser(lane);
  lane.setErrorHandler(answerError(deps));
  lane.addHook('onRequest', (request, reply, done) => {
    // The request log reads the id where middie puts it for Nest's routes.
    (request.raw as { id?: string }).id = request.id;
    deps.requestLog(request.raw, reply.raw, done);
  });
  registerRoutes(lane, deps);
}

type Handler = (request: FastifyRequest, reply: FastifyReply, agentId: string) => Promise<unknown>;

function registerRoutes(fastify: FastifyInstance, deps: HotRouteDeps): void {
  const limit = inflightLimit(deps.limiter, String(deps.retryAfterSeconds));
  const route = (
    method: 'PUT' | 'POST',
    url: string,
    handler: Handler,
    bodyLimit?: number,
  ): void => {
    fastify.route({
      method,
      url,
      onRequest: limit,
      handler: traced(method, url, deps, handler),
      ...(bodyLimit === undefined ? {} : { bodyLimit }),
    });
  };

  route('PUT', HOT_ROUTES.segment, async (request, reply, agentId) => {
    const { recordingId, seq } = decode(segmentParams, request.params, 'params');
    const contentType = request.headers['content-type'] ?? '';
    if (contentType.split(';')[0]?.trim().toLowerCase() !== SEGMENT_CONTENT_TYPE) {
      throw new UnsupportedMediaTypeError(`segments must be sent as ${SEGMENT_CONTENT_TYPE}`);
    }
    const meta = decode(agentProtocol.segmentUploadHeaders, request.headers, 'headers');
    const bytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const result = await deps.segments.upload(agentId, recordingId, seq, meta, bytes);
    void reply.status(result.created ? 201 : 200);
    return result;
  });

  route('POST', HOT_ROUTES.events, async (request, reply, agentId) => {
    const { sessionId } = decode(sessionParams, request.params, 'params');
    const batch = decode(agentProtocol.eventBatchRequest, request.body, 'body');
    void reply.status(202);
    return { accepted: await deps.batches.publishEvents(agentId, sessionId, batch) };
  });

  route('POST', HOT_ROUTES.metrics, async (request, reply, agentId) => {
    const { sessionId } = decode(sessionParams, request.params, 'params');
    const batch = decode(agentProtocol.metricBatchRequest, request.body, 'body');
    void reply.status(202);
    return { accepted: await deps.batches.publishMetrics(agentId, sessionId, batch) };
  });

  // Many sessions' batches in one request, each answered on its own: the answer is 200
  // with a result per batch, carrying Retry-After when any of them is to be sent again.
  route(
    'POST',
    HOT_ROUTES.batches,
    async (request, reply, agentId) => {
      const { batches } = decode(agentProtocol.batchesRequest, request.body, 'body');
      let retryAfter: number | undefined;
      const results = await Promise.all(
        batches.map(async (item, index): Promise<agentProtocol.BatchResult> => {
          try {
            return { status: 202, accepted: await publishItem(deps.batches, agentId, item, index) };
          } catch (err) {
            const answer = describeAgentError(
              err,
              `POST ${HOT_ROUTES.batches} (batch ${index}, ${item.kind} of session ${item.sessionId})`,
              deps.retryAfterSeconds,
              deps.logger,
            );
            if (answer.retryAfter !== undefined) {
              retryAfter = Math.max(retryAfter ?? 0, answer.retryAfter);
            }
            return { status: answer.status, error: answer.body.error };
          }
        }),
      );
      if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
      void reply.status(200);
      return { results };
    },
    agentProtocol.MAX_BATCHES_REQUEST_BYTES,
  );
}

function publishItem(
  batches: BatchService,
  agentId: string,
  item: BatchItem,
  index: number,
): Promise<number> {
  const where = `body.batches.${index}.batch` as const;
  return item.kind === 'events'
    ? batches.publishEvents(
        agentId,
        item.sessionId,
        decode(agentProtocol.eventBatchRequest, item.batch, where),
      )
    : batches.publishMetrics(
        agentId,
        item.sessionId,
        decode(agentProtocol.metricBatchRequest, item.batch, where),
      );
}

/** The span and histogram the tracing interceptor gives Nest routes; then auth, then work. */
function traced(method: string, url: string, deps: HotRouteDeps, handler: Handler) {
  const run: RouteHandlerMethod = function (request, reply) {
    const spanContext = traceHttpRequest(request.raw, reply.raw, method, url);
    return context.with(spanContext, async () => {
      const header = request.headers.authorization;
      const agent = await deps.auth.authenticate(Array.isArray(header) ? undefined : header);
      return handler(request, reply, agent.agentId);
    });
  };
  return run;
}

/**
 * The process-wide in-flight bound, in the route's onRequest stage (before the body is
 * read): the same limiter and the same 503 as InflightMiddleware gives the other routes.
 */
function inflightLimit(limiter: InflightLimiter, retryAfter: string): onRequestHookHandler {
  return function (_request, reply, done) {
    const release = limiter.tryAcquire();
    if (!release) {
      void reply
        .code(503)
        .header('retry-after', retryAfter)
        .header('connection', 'close')
        .send({
          error: { code: 'unavailable', message: 'ingest is at its in-flight limit; retry later' },
        });
      return;
    }
    reply.raw.once('close', release);
    reply.raw.once('finish', release);
    done();
  };
}

/**
 * The lane's error handler: what Nest's error handler and AgentApiExceptionFilter
 * make of an error on a controller route. Fastify's own errors (invalid JSON, a body too
 * large, an unsupported type) become an HttpException of their status, as Nest maps
 * them; then describeAgentError answers.
 */
function answerError(deps: HotRouteDeps) {
  return function (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
    answerAgentError(asNestException(error), request, reply, deps.retryAfterSeconds, deps.logger);
  };
}

function asNestException(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const { statusCode, status } = error as { statusCode?: unknown; status?: unknown };
  if (error.name === 'FastifyError' && typeof statusCode === 'number') {
    return new HttpException(error.message, statusCode);
  }
  if ((error instanceof SyntaxError || error instanceof URIError) && status === 400) {
    return new BadRequestException(error.message);
  }
  return error;
}
