/**
 * Reads a service's http.server.request.duration histogram from its /metrics and turns
 * the difference between two scrapes into percentiles: the latency the service itself
 * spent, whatever the load generator's own delays. Percentiles are bucket upper bounds.
 */
export type Buckets = Map<number, number>;

const BUCKET = /^http_server_request_duration_bucket\{([^}]*)\} (\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/;

/** Cumulative counts per upper bound (seconds), summed over routes matching `route`. */
export function parseDurationBuckets(text: string, route: RegExp): Buckets {
  const buckets: Buckets = new Map();
  for (const line of text.split('\n')) {
    const match = BUCKET.exec(line);
    if (!match) continue;
    const labels = match[1]!;
    const routeLabel = /http_route="([^"]*)"/.exec(labels)?.[1] ?? '';
    if (!route.test(routeLabel)) continue;
    const le = /le="([^"]+)"/.exec(labels)?.[1];
    if (le === undefined) continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + Number(match[2]));
  }
  return buckets;
}

export async function scrapeDurationBuckets(baseUrl: string, route: RegExp): Promise<Buckets> {
  const res = await fetch(`${baseUrl}/metrics`);
  return parseDurationBuckets(await res.text(), route);
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
