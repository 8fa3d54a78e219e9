/**
 * Settles a delivered message exactly once. Shutdown may nak a message whose handler
 * is still running; when that handler finishes later, its ack must not go out too.
 */
import type { JsMsg } from '@nats-io/jetstream';

export class Settlement {
  private done = false;

  constructor(private readonly msg: JsMsg) {}

  get settled(): boolean {
    return this.done;
  }

  /**
   * Acks without waiting for the server to confirm (an ack confirmation is a request
   * round trip per message, and held the handler's slot while it lasted). Handlers are
   * idempotent: an ack that is lost only means the message comes back after ack_wait
   * and is recognised as done. False if already settled.
   */
  ack(): boolean {
    if (this.done) return false;
    this.done = true;
    this.msg.ack();
    return true;
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
