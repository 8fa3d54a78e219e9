import { spawn } from 'node:child_process';
import { commandCpuMs, commandCpuSince, threadCpuMs } from './cpu-breakdown';

describe('commandCpuSince', () => {
  it('counts what running processes used, a new process whole, an ended one not at all', () => {
    const before = new Map([
      [10, 100],
      [11, 50],
    ]);
    const after = new Map([
      [10, 130],
      [12, 7],
    ]);
    expect(commandCpuSince(before, after)).toBe(37);
  });

  it('never counts a process as having used negative time (a reused pid)', () => {
    expect(commandCpuSince(new Map([[10, 500]]), new Map([[10, 20]]))).toBe(0);
  });
});

describe('threadCpuMs and commandCpuMs on this machine', () => {
  it('splits a busy worker thread from the main thread of this process', async () => {
    const { Worker } = await import('node:worker_threads');
    const before = threadCpuMs(process.pid);
    // ~300 ms of CPU on another thread while the main thread waits.
    const worker = new Worker(
      'const end = Date.now() + 300; while (Date.now() < end); require("node:worker_threads").parentPort.postMessage(1);',
      { eval: true },
    );
    await new Promise((resolve) => worker.once('message', resolve));
    await worker.terminate();
    const after = threadCpuMs(process.pid);
    expect(after.otherMs - before.otherMs).toBeGreaterThanOrEqual(150);
    expect(after.mainMs - before.mainMs).toBeLessThan(after.otherMs - before.otherMs);
  });

  it('finds the processes of a command by name', async () => {
    const child = spawn('sleep', ['5']);
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      expect([...commandCpuMs('sleep').keys()]).toContain(child.pid);
      expect(commandCpuMs('no-such-command-here').size).toBe(0);
    } finally {
      child.kill();
    }
  });
});
