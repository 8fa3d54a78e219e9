import { TurnGate } from './turn-gate';

describe('TurnGate', () => {
  it('lets every caller of one loop iteration through together, never before the check phase of the loop', async () => {
    const gate = new TurnGate();
    const order: string[] = [];
    const first = gate.next().then(() => order.push('first'));
    // A caller from a later callback of the same iteration joins the same turn.
    queueMicrotask(() => void gate.next().then(() => order.push('second')));
    for (let i = 0; i < 10; i++) await Promise.resolve();
    // Microtasks alone never open the gate: it waits for the loop's check phase.
    expect(order).toEqual([]);
    await first;
    await Promise.resolve();
    expect(order).toEqual(['first', 'second']);
  });

  it('opens a new turn for callers after the previous one was let through', async () => {
    const gate = new TurnGate();
    const a = gate.next();
    await a;
    const b = gate.next();
    expect(b).not.toBe(a);
    await expect(b).resolves.toBeUndefined();
  });

  it('shares one promise between the callers of a turn', () => {
    const gate = new TurnGate();
    expect(gate.next()).toBe(gate.next());
  });
});
