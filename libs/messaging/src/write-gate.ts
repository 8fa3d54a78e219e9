/**
 * Coalesces NATS writes across concurrent work. nats.js flushes its outbound buffer once
 * per microtask checkpoint, so publishes made by different HTTP requests (each handled in
 * its own I/O callback) would each cost a socket write — on loopback a write also runs
 * the receiving side's TCP processing, and NATS reads, stores and acknowledges each one
 * separately.
 *
 * The gate opens at the end of the event loop's current turn (its check phase), letting
 * every publish started during the turn go out in one write. After an opening it stays
 * shut for `minIntervalMs`: a busy publisher then writes at most once per interval, with
 * every publish of that interval in the write, while an idle one still sends at once.
 *
 * Why the interval: at a thousand segment uploads a second a turn holds one or two
 * publishes, so a write per turn meant a write, a NATS read and a PubAck write per
 * publish. With 2 ms, ingest's event loop spent a fifth to a third less CPU per segment
 * and nats-server two fifths to a half less (two A/B runs), and the segment rows that
 * follow the PubAcks reached PostgreSQL in larger statements (docs/agent-protocol.md,
 * "Capacity"). The cost is at most one interval of added latency per publish, and only
 * when busy.
 */
export class WriteGate {
  private pending: Promise<void> | undefined;
  private lastOpened = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly minIntervalMs = 0,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(minIntervalMs >= 0) || !Number.isFinite(minIntervalMs)) {
      throw new RangeError(`minIntervalMs must be a finite number ≥ 0, got ${minIntervalMs}`);
    }
  }

  /** Resolves when the gate next opens, together with every other caller waiting for it. */
  next(): Promise<void> {
    this.pending ??= new Promise<void>((resolve) => {
      const open = (): void => {
        this.pending = undefined;
        this.lastOpened = this.now();
        resolve();
      };
      const wait = this.lastOpened + this.minIntervalMs - this.now();
      if (wait > 0) setTimeout(open, Math.ceil(wait));
      else setImmediate(open);
    });
    return this.pending;
  }
}
