/**
 * Settles a delivered message exactly once. Shutdown may nak a message whose handler
 * is still running; when that handler finishes later, its ack must not go out too.
 */
import type { JsMsg } from '@nats-io/jetstream';

export class Settlement {
  private done = false;

  constructor(
    private readonly msg: JsMsg,
    private readonly ackTimeoutMs: number,
  ) {}

  get settled(): boolean {
    return this.done;
  }

  /** Acks and waits for the server to confirm it; false if already settled. */
  async ack(): Promise<boolean> {
    if (this.done) return false;
    this.done = true;
    return this.msg.ackAck({ timeout: this.ackTimeoutMs });
  }

  nak(delayMs?: number): void {
    if (this.done) return;
    this.done = true;
    this.msg.nak(delayMs);
  }

  term(): void {
    if (this.done) return;
    this.done = true;
    this.msg.term();
  }
}
