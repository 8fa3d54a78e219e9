import { type Activity, ActivityCache } from './activity';

const S = '00000000-0000-4000-8000-000000000001';
const A = '00000000-0000-4000-8000-00000000000a';

function act(at: string, eventType = 'app.focus', app: string | null = 'gedit'): Activity {
  return { sessionId: S, agentId: A, at, eventType, app };
}

describe('ActivityCache', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('leaves out what this process wrote less than the granularity ago, and nothing new', () => {
    const cache = new ActivityCache();
    const first = [act('2026-01-01T10:00:05Z')];
    expect(cache.unsettled(first)).toEqual({ activity: first, agentIds: [A] });
    cache.wrote(performance.now(), first, [S], [A]);

    jest.advanceTimersByTime(3_000);
    expect(cache.unsettled([act('2026-01-01T10:00:06Z')])).toEqual({ activity: [], agentIds: [] });
    // A new event type, a new application, an earlier start: the row may change.
    for (const changed of [
      act('2026-01-01T10:00:06Z', 'usb.insert'),
      act('2026-01-01T10:00:06Z', 'app.focus', 'firefox'),
      act('2026-01-01T10:00:04Z'),
    ]) {
      expect(cache.unsettled([changed]).activity).toEqual([changed]);
    }
    jest.advanceTimersByTime(1_000);
    expect(cache.unsettled([act('2026-01-01T10:00:06Z')]).activity).toHaveLength(1);
    expect(cache.unsettled([act('2026-01-01T10:00:06Z')]).agentIds).toEqual([A]);
  });

  it('learns only from rows the statement wrote', () => {
    const cache = new ActivityCache();
    const rows = [act('2026-01-01T10:00:05Z')];
    cache.wrote(performance.now(), rows, [], []);
    expect(cache.unsettled(rows)).toEqual({ activity: rows, agentIds: [A] });
  });
});
