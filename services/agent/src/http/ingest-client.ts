/**
 * The agent's only way to talk to ingest: HTTP requests under /agent/v1 with the
 * agent's credential, answers sorted into acknowledged, retry-later and rejected.
 *
 * Requests go through node:http(s) with a keep-alive agent rather than fetch: fetch wraps
 * every body and answer in WHATWG streams (and clones the request), which made it the
 * largest cost of an agent that sends a few small batches a second, and of the simulator
 * that plays thousands of hosts.
 */
import http from 'node:http';
import https from 'node:https';
import { agentProtocol } from '@sessionrec/contracts';
import { parseRetryAfter } from './backoff';

export type Outcome =
  | {
      readonly kind: 'ok';
      readonly status: number;
      readonly body: unknown;
      /** Set when the answer asks for parts of it to be sent again later (POST /batches). */
      readonly retryAfterMs?: number;
    }
  | {
      readonly kind: 'retry';
      readonly status: number | null;
      readonly retryAfterMs?: number;
      readonly reason: string;
    }
  | {
      readonly kind: 'rejected';
      readonly status: number;
      readonly code: string;
      readonly reason: string;
    };

export interface IngestRequest {
  readonly method: 'GET' | 'POST' | 'PUT';
  /** Path below /agent/v1, starting with '/'. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly json?: unknown;
  /** A JSON body already encoded (spooled requests): sent as application/json unchanged. */
  readonly jsonBody?: Uint8Array;
  readonly body?: Uint8Array;
}

export class IngestUrlError extends Error {
  override readonly name = 'IngestUrlError';
}

/** Ingest answered in a way the agent cannot go on from (bad token, protocol mismatch). */
export class IngestRejectedError extends Error {
  override readonly name = 'IngestRejectedError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function normaliseIngestUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new IngestUrlError(`--ingest must be an http(s) URL, got '${raw}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new IngestUrlError(`--ingest must be an http(s) URL, got '${raw}'`);
  }
  url.pathname = url.pathname.replace(/\/+$/, '');
  url.search = '';
  url.hash = '';
  return url;
}

/** 5xx and 429 are the server's trouble; other 4xx mean this request will never succeed. */
function isRetryable(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

function errorOf(body: unknown, status: number): { code: string; message: string } {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return {
    code: typeof error?.code === 'string' ? error.code : `http-${status}`,
    message: typeof error?.message === 'string' ? error.message : `HTTP ${status}`,
  };
}

/** Largest answer body read; ingest's answers are small JSON documents. */
const MAX_ANSWER_BYTES = 1024 * 1024;

interface RawAnswer {
  status: number;
  retryAfter: string | undefined;
  text: string;
}

export class IngestClient {
  private readonly base: string;
  private readonly url: URL;
  private readonly transport: typeof http | typeof https;
  private readonly agent: http.Agent;

  constructor(
    ingestUrl: string,
    private credential?: string,
    private readonly timeoutMs = 30_000,
  ) {
    this.url = normaliseIngestUrl(ingestUrl);
    this.base = `${this.url.toString().replace(/\/$/, '')}${agentProtocol.AGENT_BASE_PATH}`;
    const secure = this.url.protocol === 'https:';
    this.transport = secure ? https : http;
    // Connections stay open between requests (an agent talks to one ingest all day);
    // idle ones are closed after a while so a load balancer's rotation is followed. An
    // agent never holds more connections than its upload concurrency (at most 1024):
    // every one is kept, since dropping the surplus after a lull only means connecting
    // again at the next burst.
    this.agent = new (secure ? https.Agent : http.Agent)({
      keepAlive: true,
      keepAliveMsecs: 10_000,
      maxFreeSockets: 1024,
      timeout: this.timeoutMs,
    });
  }

  /** Closes idle connections; requests still running finish. */
  close(): void {
    this.agent.destroy();
  }

  setCredential(credential: string): void {
    this.credential = credential;
  }

  get baseUrl(): string {
    return this.base;
  }

  async send(request: IngestRequest): Promise<Outcome> {
    const headers: Record<string, string> = { ...request.headers };
    if (this.credential) headers.authorization = `Bearer ${this.credential}`;
    let body: Uint8Array | string | undefined;
    if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    } else if (request.jsonBody !== undefined) {
      headers['content-type'] = 'application/json';
      body = request.jsonBody;
    } else if (request.body !== undefined) {
      headers['content-type'] = 'application/octet-stream';
      body = request.body;
    }
    let answer: RawAnswer;
    try {
      answer = await this.exchange(request.method, `${this.base}${request.path}`, headers, body);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return {
        kind: 'retry',
        status: null,
        reason: typeof code === 'string' ? code : (error as Error).message,
      };
    }
    const { status, text } = answer;
    let parsed: unknown = null;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (status >= 200 && status < 300) {
      const retryAfterMs = parseRetryAfter(answer.retryAfter);
      return {
        kind: 'ok',
        status,
        body: parsed,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      };
    }
    const { code, message } = errorOf(parsed, status);
    if (isRetryable(status)) {
      return {
        kind: 'retry',
        status,
        retryAfterMs: parseRetryAfter(answer.retryAfter),
        reason: `${code}: ${message}`,
      };
    }
    return { kind: 'rejected', status, code, reason: message };
  }

  /**
   * One request and its whole answer, or a rejection for anything that kept the answer
   * from arriving (refused, reset, timed out: the whole exchange, not only idle time).
   */
  private exchange(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: Uint8Array | string | undefined,
  ): Promise<RawAnswer> {
    return new Promise<RawAnswer>((resolve, reject) => {
      const outgoing: Record<string, string | number> = { ...headers };
      if (body !== undefined) outgoing['content-length'] = Buffer.byteLength(body);
      const req = this.transport.request(url, { method, headers: outgoing, agent: this.agent });
      const timer = setTimeout(() => {
        req.destroy(Object.assign(new Error('request timed out'), { code: 'TimeoutError' }));
      }, this.timeoutMs);
      const fail = (error: Error): void => {
        clearTimeout(timer);
        reject(error);
      };
      req.once('error', fail);
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
        });
        res.once('error', fail);
        res.once('end', () => {
          clearTimeout(timer);
          const retryAfter = res.headers['retry-after'];
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
      });
      req.end(body);
    });
  }
}
