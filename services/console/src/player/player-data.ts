/**
 * What the player loads besides media: the recording's segment times (catalogue metadata,
 * paged; no media bytes), the session's events and network samples. Events and samples
 * are capped so a pathological session cannot exhaust the browser; the cap is shown.
 */
import { request } from '../api/client';
import type { MetricSample, RecordingDetail, Segment, SessionEvent } from '../api/types';

export const MAX_EVENTS = 20_000;
export const MAX_SAMPLES = 20_000;

export async function loadSegments(
  recordingId: string,
  afterSeq?: number,
): Promise<{ detail: RecordingDetail; segments: Segment[] }> {
  const segments: Segment[] = [];
  let detail: RecordingDetail | undefined;
  let after = afterSeq;
  for (;;) {
    const page = await request<RecordingDetail>(
      `/api/v1/recordings/${recordingId}?limit=2000${after !== undefined ? `&afterSeq=${after}` : ''}`,
    );
    detail ??= page;
    segments.push(...page.segments);
    if (page.nextAfterSeq === undefined || page.segments.length === 0) break;
    after = page.nextAfterSeq;
  }
  return { detail, segments };
}

async function pages<T>(
  path: (cursor: string | undefined) => string,
  pick: (page: { nextCursor: string | null }) => T[],
  max: number,
): Promise<{ items: T[]; truncated: boolean }> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await request<{ nextCursor: string | null }>(path(cursor));
    items.push(...pick(page));
    if (!page.nextCursor) return { items, truncated: false };
    if (items.length >= max) return { items, truncated: true };
    cursor = page.nextCursor;
  }
}

export function loadEvents(sessionId: string, fromMs?: number) {
  return pages<SessionEvent>(
    (cursor) =>
      `/api/v1/sessions/${sessionId}/events?limit=1000${fromMs !== undefined ? `&from=${fromMs}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    (page) => (page as unknown as { events: SessionEvent[] }).events,
    MAX_EVENTS,
  );
}

export function loadMetrics(sessionId: string, fromMs?: number) {
  return pages<MetricSample>(
    (cursor) =>
      `/api/v1/sessions/${sessionId}/metrics?limit=5000${fromMs !== undefined ? `&from=${fromMs}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    (page) => (page as unknown as { samples: MetricSample[] }).samples,
    MAX_SAMPLES,
  );
}
