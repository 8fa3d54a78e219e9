import type { ControlCommand } from '@sessionrec/contracts';
import type { Messaging } from '@sessionrec/messaging';
import { CommandTracker } from './command-tracker';
import { DEFAULT_CONTROL_OPTIONS } from './control-options';

const AGENT = '00000000-0000-4000-8000-00000000000a';
const OTHER = '00000000-0000-4000-8000-00000000000b';
let seq = 0;

function command(expiresInMs: number, now: number): ControlCommand {
  seq++;
  return {
    v: 1,
    commandId: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    agentId: AGENT,
    action: 'lock',
    params: {},
    issuedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + expiresInMs).toISOString(),
    issuedBy: 'test',
  };
}

function setup(publish = jest.fn().mockResolvedValue({ seq: 1, duplicate: false, stream: 'S' })) {
  const tracker = new CommandTracker({ publish } as unknown as Messaging, DEFAULT_CONTROL_OPTIONS);
  return { tracker, publish };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('CommandTracker', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');

  it('accepts a result only from the agent the command was delivered to, once', async () => {
    const { tracker, publish } = setup();
    const c = command(60_000, now);
    expect(tracker.observe(c, 'live', now)).toBe('deliverable');
    expect(tracker.acceptResult(AGENT, { commandId: c.commandId, status: 'acked' })).toBe(
      'unknown',
    ); // not delivered yet
    tracker.markDelivered(c.commandId);
    expect(tracker.acceptResult(OTHER, { commandId: c.commandId, status: 'failed' })).toBe(
      'unknown',
    );
    expect(
      tracker.acceptResult(AGENT, { commandId: c.commandId, status: 'acked', detail: 'ok' }),
    ).toBe('accepted');
    expect(tracker.acceptResult(AGENT, { commandId: c.commandId, status: 'failed' })).toBe(
      'duplicate',
    );
    await flush();
    expect(publish).toHaveBeenCalledTimes(1);
    expect(publish).toHaveBeenCalledWith(
      'command.result',
      expect.objectContaining({
        commandId: c.commandId,
        agentId: AGENT,
        status: 'acked',
        detail: 'ok',
      }),
    );
    expect(tracker.observe(c, 'replay', now)).toBe('answered');
    expect(tracker.openCount()).toBe(0);
  });

  it('reports an unanswered command timed-out once it expires, and only once', async () => {
    const { tracker, publish } = setup();
    const c = command(1_000, now);
    tracker.observe(c, 'live', now);
    tracker.sweep(now + 999);
    expect(publish).not.toHaveBeenCalled();
    tracker.sweep(now + 1_000);
    tracker.sweep(now + 1_100);
    await flush();
    expect(publish).toHaveBeenCalledTimes(1);
    expect(publish).toHaveBeenCalledWith(
      'command.result',
      expect.objectContaining({ commandId: c.commandId, status: 'timed-out' }),
    );
    tracker.sweep(now + 5_000);
    await flush();
    expect(publish).toHaveBeenCalledTimes(1);
  });

  it('retries a result whose publish failed on the next sweep', async () => {
    const publish = jest
      .fn()
      .mockRejectedValueOnce(new Error('NATS down'))
      .mockResolvedValue({ seq: 2, duplicate: false, stream: 'S' });
    const { tracker } = setup(publish);
    const c = command(60_000, now);
    tracker.observe(c, 'live', now);
    tracker.markDelivered(c.commandId);
    tracker.acceptResult(AGENT, { commandId: c.commandId, status: 'failed' });
    await flush();
    expect(tracker.openCount()).toBe(1);
    tracker.sweep(now + 10);
    await flush();
    expect(publish).toHaveBeenCalledTimes(2);
    expect(publish.mock.calls[1]).toEqual([
      'command.result',
      expect.objectContaining({ status: 'failed' }),
    ]);
    expect(tracker.openCount()).toBe(0);
  });

  it('does not time out a command answered through another instance', async () => {
    const { tracker, publish } = setup();
    const c = command(1_000, now);
    tracker.observe(c, 'live', now);
    tracker.noteAnswered(c.commandId, now + 10);
    tracker.sweep(now + 2_000);
    await flush();
    expect(publish).not.toHaveBeenCalled();
  });

  it('skips expired commands on replay without reporting them, but reports late live ones', async () => {
    const { tracker, publish } = setup();
    const replayed = command(-1, now);
    expect(tracker.observe(replayed, 'replay', now)).toBe('expired');
    const live = command(-1, now);
    expect(tracker.observe(live, 'live', now)).toBe('expired');
    tracker.sweep(now);
    await flush();
    expect(publish).toHaveBeenCalledTimes(1);
    expect(publish).toHaveBeenCalledWith(
      'command.result',
      expect.objectContaining({ commandId: live.commandId, status: 'timed-out' }),
    );
  });

  it('stops its sweeper and waits for publishes in flight', async () => {
    let release: () => void = () => undefined;
    const publish = jest.fn().mockReturnValue(new Promise<void>((r) => (release = r)));
    const { tracker } = setup(publish);
    tracker.start();
    const c = command(0, now);
    tracker.observe(c, 'live', now);
    tracker.sweep(now + 1);
    let stopped = false;
    const stopping = tracker.stop().then(() => (stopped = true));
    await flush();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(stopped).toBe(true);
  });
});
