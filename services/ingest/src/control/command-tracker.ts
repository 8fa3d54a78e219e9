/**
 * What this ingest instance knows about agent commands: which are open, which were
 * delivered to their agent through this instance, and which are answered. It is the
 * gate for results (an agent may only answer commands it was sent) and the clock that
 * reports a command nobody answered before its expiresAt as timed-out.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { CommandResult, ControlCommand } from '@sessionrec/contracts';
import { Messaging } from '@sessionrec/messaging';
import { CONTROL_OPTIONS, type ControlOptions } from './control-options';

export type Observation = 'deliverable' | 'answered' | 'expired';
export type ResultVerdict = 'accepted' | 'unknown' | 'duplicate';

interface Outcome {
  readonly status: CommandResult['status'];
  readonly detail?: string;
  readonly at: string;
}

interface OpenCommand {
  readonly command: ControlCommand;
  readonly expiresAtMs: number;
  delivered: boolean;
  outcome?: Outcome;
  publishing?: Promise<void>;
}

@Injectable()
export class CommandTracker {
  private readonly logger = new Logger('ControlCommands');
  private readonly open = new Map<string, OpenCommand>();
  /** commandId -> when its result was seen, to skip answered commands on replay. */
  private readonly answered = new Map<string, number>();
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly messaging: Messaging,
    @Inject(CONTROL_OPTIONS) private readonly options: ControlOptions,
  ) {}

  start(): void {
    this.sweeper ??= setInterval(() => this.sweep(), this.options.sweepIntervalMs);
  }

  /** Stops the clock and waits for result publishes already under way. */
  async stop(): Promise<void> {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    const inFlight = [...this.open.values()].flatMap((c) => (c.publishing ? [c.publishing] : []));
    await Promise.allSettled(inFlight);
  }

  /**
   * Records a command seen on NATS. Live commands are tracked even when expired (they are
   * reported timed-out); replayed ones that expired are left alone, since the instances
   * that saw them live have reported them already.
   */
  observe(command: ControlCommand, source: 'live' | 'replay', now = Date.now()): Observation {
    const id = command.commandId;
    if (this.answered.has(id)) return 'answered';
    const known = this.open.get(id);
    const expiresAtMs = known?.expiresAtMs ?? Date.parse(command.expiresAt);
    if (known?.outcome) return 'answered';
    if (expiresAtMs <= now && (known || source === 'replay')) return 'expired';
    if (!known) {
      this.open.set(id, { command, expiresAtMs, delivered: false });
      this.evictBeyondLimit(this.open, 'open commands');
    }
    return expiresAtMs <= now ? 'expired' : 'deliverable';
  }

  markDelivered(commandId: string): void {
    const entry = this.open.get(commandId);
    if (entry) entry.delivered = true;
  }

  /**
   * Takes an agent's answer. Only a command delivered to that same agent through this
   * instance, and not yet answered or timed out, is accepted: an agent cannot report on
   * another agent's commands nor invent command ids.
   */
  acceptResult(
    agentId: string,
    result: { commandId: string; status: 'acked' | 'failed'; detail?: string | undefined },
  ): ResultVerdict {
    const entry = this.open.get(result.commandId);
    if (!entry) return this.answered.has(result.commandId) ? 'duplicate' : 'unknown';
    if (entry.command.agentId !== agentId || !entry.delivered) return 'unknown';
    if (entry.outcome) return 'duplicate';
    entry.outcome = {
      status: result.status,
      at: new Date().toISOString(),
      ...(result.detail === undefined ? {} : { detail: result.detail }),
    };
    this.report(entry);
    return 'accepted';
  }

  /** A result published by any ingest instance (seen on NATS) settles the command here too. */
  noteAnswered(commandId: string, now = Date.now()): void {
    const entry = this.open.get(commandId);
    if (entry?.publishing) return;
    this.open.delete(commandId);
    this.answered.set(commandId, now);
    this.evictBeyondLimit(this.answered, 'answered commands');
  }

  /** Reports expired commands and retries results whose publish failed. */
  sweep(now = Date.now()): void {
    for (const [id, at] of this.answered) {
      if (now - at < this.options.replayWindowMs) break;
      this.answered.delete(id);
    }
    for (const entry of this.open.values()) {
      if (!entry.outcome && entry.expiresAtMs <= now) {
        entry.outcome = { status: 'timed-out', at: new Date(now).toISOString() };
      }
      if (entry.outcome) this.report(entry);
    }
  }

  /** Commands open here (delivered or not, unanswered); for tests and diagnostics. */
  openCount(): number {
    return this.open.size;
  }

  private report(entry: OpenCommand): void {
    if (entry.publishing || !entry.outcome) return;
    const { command, outcome } = entry;
    entry.publishing = this.messaging
      .publish('command.result', {
        v: 1,
        commandId: command.commandId,
        agentId: command.agentId,
        ...outcome,
      })
      .then(
        () => {
          entry.publishing = undefined;
          this.noteAnswered(command.commandId);
        },
        (err: unknown) => {
          entry.publishing = undefined;
          this.logger.warn(
            `could not publish ${outcome.status} for command ${command.commandId}, will retry: ${
              err instanceof Error ? err.message : String(err)
            }`,
          );
        },
      );
  }

  private evictBeyondLimit(map: Map<string, unknown>, what: string): void {
    while (map.size > this.options.maxTrackedCommands) {
      const oldest = map.keys().next();
      if (oldest.done) return;
      map.delete(oldest.value);
      this.logger.warn(`more than ${this.options.maxTrackedCommands} ${what}: forgot the oldest`);
    }
  }
}
