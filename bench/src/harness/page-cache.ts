/**
 * Writes the machine's dirty page cache to disk before a phase is measured.
 *
 * Why: a phase's writes (JetStream's file store, the objects) sit in the page cache and
 * reach the disk up to half a minute later, during whatever runs next. The event-batch
 * phase leaves ~500 MB dirty; the kernel writing it back during the sustained sessions
 * gave their segment stores fsync tails of 50-75 ms at p99, which belong to no session.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs sync(1) and answers how many milliseconds the flush took. */
export async function flushPageCache(): Promise<number> {
  const started = performance.now();
  await run('sync', [], { timeout: 300_000 });
  return performance.now() - started;
}
