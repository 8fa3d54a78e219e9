import { bucketPercentileMs, parseDurationBuckets, parseHistogramBuckets } from './prometheus';

const scrape = (fast: number, slow: number) =>
  [
    '# TYPE http_server_request_duration histogram',
    `http_server_request_duration_bucket{http_route="/agent/v1/sessions/:id/events",le="0.01"} ${fast}`,
    `http_server_request_duration_bucket{http_route="/agent/v1/sessions/:id/events",le="0.1"} ${fast + slow}`,
    `http_server_request_duration_bucket{http_route="/agent/v1/sessions/:id/events",le="+Inf"} ${fast + slow}`,
    `http_server_request_duration_bucket{http_route="/health/ready",le="0.01"} 1000`,
    `http_server_request_duration_bucket{http_route="/health/ready",le="+Inf"} 1000`,
  ].join('\n');

describe('server-side latency from /metrics', () => {
  it('sums matching routes and reads percentiles from the difference of two scrapes', () => {
    const before = parseDurationBuckets(scrape(10, 0), /^\/agent\//);
    const after = parseDurationBuckets(scrape(108, 2), /^\/agent\//);
    // 100 new requests: 98 under 10 ms, 2 between 10 and 100 ms; health checks ignored.
    expect(bucketPercentileMs(before, after, 50)).toBe(10);
    expect(bucketPercentileMs(before, after, 98)).toBe(10);
    expect(bucketPercentileMs(before, after, 99)).toBe(100);
  });

  it('answers 0 when nothing happened between the scrapes', () => {
    const same = parseDurationBuckets(scrape(5, 5), /^\/agent\//);
    expect(bucketPercentileMs(same, same, 99)).toBe(0);
  });

  it('reads one series of another histogram by its label, not others of the same name', () => {
    const text = (store: number) =>
      [
        `ingest_stage_duration_bucket{stage="segment.store",le="0.001"} ${store}`,
        `ingest_stage_duration_bucket{stage="segment.store",le="+Inf"} ${store + 1}`,
        'ingest_stage_duration_bucket{stage="segment.row",le="0.001"} 0',
        'ingest_stage_duration_bucket{stage="segment.row",le="+Inf"} 500',
        'http_server_request_duration_bucket{stage="segment.store",le="+Inf"} 900',
      ].join('\n');
    const before = parseHistogramBuckets(
      text(0),
      'ingest_stage_duration',
      'stage',
      /^segment\.store$/,
    );
    const after = parseHistogramBuckets(
      text(9),
      'ingest_stage_duration',
      'stage',
      /^segment\.store$/,
    );
    expect(after.get(Infinity)).toBe(10);
    // 9 new samples, all under 1 ms: the row stage's and the other metric's are not counted.
    expect(bucketPercentileMs(before, after, 99)).toBe(1);
  });
});
