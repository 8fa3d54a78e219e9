/**
 * The routes agents call thousands of times a second (segment upload, event and metric
 * batches, and the combined batches of many sessions), registered on Fastify itself rather than as Nest controller methods.
 *
 * Why: Nest's per-request pipeline (guard, interceptor chain in rxjs with an
 * AsyncResource.bind per step, param decorators, the router's execution context) cost
 * more CPU than the work these routes do. Here the same steps are explicit and in the
 * same order: the in-flight limit before the body is read, agent authentication,
 * decoding with the protocol's schemas, a server span and duration histogram, the
 * handler. Errors are thrown to Fastify's error handler, which Nest installs for the
 * whole instance, so they leave through AgentApiExceptionFilter exactly as the
 * controllers' do. The request log comes from the quiet logger, matched by path.
 * Every other /agent/v1 route stays a Nest controller.
 */
import { context } from '@opentelemetry/api';
import { agentProtocol } from '@sessionrec/contracts';
import { traceHttpRequest } from '@sessionrec/telemetry';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestHookHandler,
  RouteHandlerMethod,
} from 'fastify';
import type { Logger } from '@nestjs/common';
import type { AgentAuthService } from '../auth/agent-auth.service';
import { describeAgentError } from '../http/api-exception.filter';
import { UnsupportedMediaTypeError } from '../http/api-errors';
import type { InflightLimiter } from '../http/inflight-limiter';
import { SEGMENT_CONTENT_TYPE } from '../http/segment-body-parser';
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
  /** Logs a batch's infrastructure failure or bug, as the exception filter does a request's. */
  readonly logger: Pick<Logger, 'warn' | 'error'>;
}

type Handler = (request: FastifyRequest, reply: FastifyReply, agentId: string) => Promise<unknown>;

export function registerHotRoutes(fastify: FastifyInstance, deps: HotRouteDeps): void {
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
  return function (request, reply, done) {
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
