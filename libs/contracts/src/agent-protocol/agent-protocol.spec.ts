import { randomUUID } from 'node:crypto';
import { agentFrame, eventBatchRequest, MAX_EVENTS_PER_BATCH, segmentUploadHeaders } from '.';

const ev = () => ({
  eventId: randomUUID(),
  type: 'usb.insert',
  at: '2026-11-25T10:00:00+01:00',
  offsetMs: 10,
  attributes: { vendor: 'SanDisk' },
});

describe('agent protocol', () => {
  it('accepts a batch up to the limit and refuses one over it', () => {
    const ok = eventBatchRequest.safeParse({
      events: Array.from({ length: MAX_EVENTS_PER_BATCH }, ev),
    });
    expect(ok.success).toBe(true);
    const over = eventBatchRequest.safeParse({
      events: Array.from({ length: MAX_EVENTS_PER_BATCH + 1 }, ev),
    });
    expect(over.success).toBe(false);
    expect(eventBatchRequest.safeParse({ events: [] }).success).toBe(false);
  });

  it('coerces numeric segment headers and checks the hash format', () => {
    const sha = 'a'.repeat(64);
    const parsed = segmentUploadHeaders.parse({
      'x-segment-sha256': sha,
      'x-segment-kind': 'media',
      'x-segment-start-ms': '6000',
      'x-segment-end-ms': '12000',
    });
    expect(parsed['x-segment-start-ms']).toBe(6000);
    expect(
      segmentUploadHeaders.safeParse({ ...parsed, 'x-segment-sha256': 'A'.repeat(64) }).success,
    ).toBe(false);
  });

  it('decodes control frames by type and refuses unknown ones', () => {
    expect(agentFrame.safeParse({ type: 'pong', at: '2026-11-25T10:00:00Z' }).success).toBe(true);
    expect(agentFrame.safeParse({ type: 'shell', cmd: 'id' }).success).toBe(false);
  });
});
