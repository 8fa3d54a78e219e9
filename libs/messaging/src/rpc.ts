/**
 * Request/reply over core NATS: the wire format shared by the requester (Messaging)
 * and the responder (JetStreamServer). A failed request is answered with an error
 * header and body, so the caller gets a clear error instead of waiting for a timeout.
 */
import type { Msg, NatsConnection, Subscription } from '@nats-io/nats-core';
import { headers as natsHeaders } from '@nats-io/nats-core';
import type { LoggerService } from '@nestjs/common';
import { fullSubject, REQUESTS, type RequestType } from '@sessionrec/contracts';
import { decodeAndValidate, encodeJson } from './codec';
import { NatsRequestContext } from './context';
import { errorMessage } from './errors';
import { invokeHandler } from './handler-capture';
import { headerValue } from './nats-headers';
import { extractTraceContext, inSpan, SpanKind } from './tracing';

/** Set on error replies; its value is the error code. */
export const RPC_ERROR_HEADER = 'Sessionrec-Rpc-Error';

export type RpcErrorCode = 'invalid-request' | 'invalid-reply' | 'handler-failed';

export interface RpcErrorBody {
  code: RpcErrorCode;
  message: string;
}

export function requestSubject(namespace: string, type: RequestType): string {
  return fullSubject(namespace, REQUESTS[type].subject);
}

export type RequestHandler = (request: unknown, ctx: NatsRequestContext) => unknown;

export class RequestResponder {
  private readonly subs: Subscription[] = [];
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly namespace: string,
    private readonly queue: string,
    private readonly logger: LoggerService,
  ) {}

  serve(type: RequestType, handler: RequestHandler): void {
    const sub = this.nc.subscribe(requestSubject(this.namespace, type), {
      queue: this.queue,
      callback: (err, msg) => {
        if (err) {
          this.logger.warn(`request subscription ${type} failed: ${err.message}`);
          return;
        }
        const done = this.answer(type, handler, msg).catch((e: unknown) => {
          this.logger.error(`request ${type}: could not reply: ${errorMessage(e)}`);
        });
        this.running.add(done);
        void done.finally(() => this.running.delete(done));
      },
    });
    this.subs.push(sub);
  }

  /** Stops taking requests, then waits (bounded) for those being answered. */
  async stop(timeoutMs: number): Promise<void> {
    await Promise.all(this.subs.map((s) => s.drain().catch(() => undefined)));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.running]),
      new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }

  private async answer(type: RequestType, handler: RequestHandler, msg: Msg): Promise<void> {
    const contract = REQUESTS[type];
    const request = decodeAndValidate(contract.request, msg.data, `request ${type}`);
    if (!request.ok) return this.fail(msg, 'invalid-request', request.reason);
    let result: unknown;
    try {
      result = await inSpan(
        `process ${msg.subject}`,
        SpanKind.SERVER,
        { 'messaging.system': 'nats', 'messaging.destination.name': msg.subject },
        () => invokeHandler(handler, request.value, new NatsRequestContext(type, msg)),
        extractTraceContext(msg.headers),
      );
    } catch (err) {
      this.logger.warn(`request ${type} failed: ${errorMessage(err)}`);
      return this.fail(msg, 'handler-failed', errorMessage(err));
    }
    const reply = contract.reply.safeParse(result);
    if (!reply.success) {
      this.logger.error(`request ${type}: handler returned an invalid reply`);
      return this.fail(msg, 'invalid-reply', `reply failed schema validation`);
    }
    msg.respond(encodeJson(reply.data));
  }

  private fail(msg: Msg, code: RpcErrorCode, message: string): void {
    const h = natsHeaders();
    h.set(RPC_ERROR_HEADER, code);
    const body: RpcErrorBody = { code, message: headerValue(message, 2000) };
    msg.respond(encodeJson(body), { headers: h });
  }
}
