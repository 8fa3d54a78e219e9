/**
 * Coalesces NATS writes across concurrent work. nats.js flushes its outbound buffer once
 * per microtask checkpoint, so publishes made by different HTTP requests (each handled in
 * its own I/O callback) each cost a socket write — on loopback a write also runs the
 * receiving side's TCP processing, and NATS reads each one separately. Waiting for the
 * event loop's check phase lets every publish started during one loop iteration go out in
 * a single write: under load that is many per write; when idle it delays a publish by
 * less than one loop iteration.
 */
export class TurnGate {
  private pending: Promise<void> | undefined;

  /** Resolves at the end of the current loop iteration, together with every other caller. */
  next(): Promise<void> {
    this.pending ??= new Promise<void>((resolve) => {
      setImmediate(() => {
        this.pending = undefined;
        resolve();
      });
    });
    return this.pending;
  }
}
