/**
 * Reads a service's http.server.request.duration histogram from its /metrics and turns
 * the difference between two scrapes into percentiles: the latency the service itself
 * spent, whatever the load generator's own delays. Percentiles are bucket upper bounds.
 */
export type Buckets = Map<number, number>;

const BUCKET = /^([a-z_]+)_bucket\{([^}]*)\} (\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/;

/** Cumulative counts per upper bound (seconds), summed over routes matching `route`. */
export function parseDurationBuckets(text: string, route: RegExp): Buckets {
  return parseHistogramBuckets(text, 'http_server_request_duration', 'http_route', route);
}

/**
 * Cumulative counts per upper bound of one histogram, summed over the series whose
 * `label` matches `value` (ingest's stage histogram: `ingest_stage_duration`, `stage`).
 */
export function parseHistogramBuckets(
  text: string,
  metric: string,
  label: string,
  value: RegExp,
): Buckets {
  const buckets: Buckets = new Map();
  const labelPattern = new RegExp(`${label}="([^"]*)"`);
  for (const line of text.split('\n')) {
    const match = BUCKET.exec(line);
    if (!match || match[1] !== metric) continue;
    const labels = match[2]!;
    if (!value.test(labelPattern.exec(labels)?.[1] ?? '')) continue;
    const le = /le="([^"]+)"/.exec(labels)?.[1];
    if (le === undefined) continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + Number(match[3]));
  }
  return buckets;
}

export async function scrapeDurationBuckets(baseUrl: string, route: RegExp): Promise<Buckets> {
  const res = await fetch(`${baseUrl}/metrics`);
  return parseDurationBuckets(await res.text(), route);
}

export async function scrapeMetrics(baseUrl: string): Promise<string> {
  return (await fetch(`${baseUrl}/metrics`)).text();
}

/** The upper bound (ms) of the bucket holding the p-th percentile of after − before. */
export function bucketPercentileMs(before: Buckets, after: Buckets, p: number): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const delta = bounds.map((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0));
  const total = delta.at(-1) ?? 0;
  if (total <= 0) return 0;
  const rank = (p / 100) * total;
  const index = delta.findIndex((cumulative) => cumulative >= rank);
  return bounds[index]! * 1000;
}
