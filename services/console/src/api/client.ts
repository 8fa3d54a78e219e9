/**
 * The console's one way to call the api. The session cookie set at sign-in (HttpOnly, so
 * scripts never see the token) travels with every same-origin request; hls.js and the
 * terminal player fetch from the same origin and carry it too. Errors arrive as
 * `{error:{code,message}}` and become ApiRequestError, so pages can branch on `code`.
 */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Per-field errors of `invalid_policy` answers. */
    readonly fields?: { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Called whenever the api answers 401: the sign-in expired or was revoked. */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

async function errorOf(res: Response): Promise<ApiRequestError> {
  try {
    const body = (await res.json()) as {
      error?: { code?: string; message?: string; fields?: { path: string; message: string }[] };
    };
    return new ApiRequestError(
      res.status,
      body.error?.code ?? 'error',
      body.error?.message ?? res.statusText,
      Array.isArray(body.error?.fields) ? body.error.fields : undefined,
    );
  } catch {
    return new ApiRequestError(res.status, 'error', res.statusText || `HTTP ${res.status}`);
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /** A 401 here is expected (sign-in page, share links): do not announce a lost sign-in. */
  quiet401?: boolean;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const res = await fetch(path, {
    method: options.method ?? 'GET',
    credentials: 'same-origin',
    headers: options.body !== undefined ? { 'content-type': 'application/json' } : {},
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!res.ok) {
    const err = await errorOf(res);
    if (res.status === 401 && !options.quiet401) unauthorizedListeners.forEach((l) => l());
    throw err;
  }
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

/** Query string from the defined, non-empty values. */
export function queryString(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiRequestError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
