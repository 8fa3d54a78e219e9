/**
 * The agent's only way to talk to ingest: HTTP requests under /agent/v1 with the
 * agent's credential, answers sorted into acknowledged, retry-later and rejected.
 */
import { agentProtocol } from '@sessionrec/contracts';
import { parseRetryAfter } from './backoff';

export type Outcome =
  | { readonly kind: 'ok'; readonly status: number; readonly body: unknown }
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

export class IngestClient {
  private readonly base: string;

  constructor(
    ingestUrl: string,
    private credential?: string,
    private readonly timeoutMs = 30_000,
  ) {
    this.base = `${normaliseIngestUrl(ingestUrl).toString().replace(/\/$/, '')}${agentProtocol.AGENT_BASE_PATH}`;
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
    let response: Response;
    try {
      response = await fetch(`${this.base}${request.path}`, {
        method: request.method,
        headers,
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return { kind: 'retry', status: null, reason: cause ?? (error as Error).message };
    }
    const text = await response.text().catch(() => '');
    let parsed: unknown = null;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (response.ok) return { kind: 'ok', status: response.status, body: parsed };
    const { code, message } = errorOf(parsed, response.status);
    if (isRetryable(response.status)) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      return {
        kind: 'retry',
        status: response.status,
        retryAfterMs,
        reason: `${code}: ${message}`,
      };
    }
    return { kind: 'rejected', status: response.status, code, reason: message };
  }
}
