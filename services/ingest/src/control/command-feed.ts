/**
 * Where commands come from. Live: a core NATS subscription to every agent's control
 * subject, so a command reaches a connected agent in well under a second whichever
 * instance holds its socket, and one to command results, so every instance learns what
 * was answered elsewhere. Catch-up: a bounded replay of one agent's recent commands from
 * the CONTROL stream when it (re)connects, through a short-lived ephemeral consumer with
 * a single filter subject (nats-server 2.9 has no multi-filter consumers). Also policy
 * change announcements, which every connected agent is told about.
 */
import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { nanos, type Msg, type Subscription } from '@nats-io/nats-core';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  assertToken,
  type ControlCommand,
  filterOf,
  fullSubject,
  MESSAGES,
  POLICY_CHANGED_SUBJECT,
  type PolicyChanged,
  policyChangedV1,
  STREAMS,
  streamName,
} from '@sessionrec/contracts';
import { MessagingConnection } from '@sessionrec/messaging';
import type { z } from 'zod';
import { CONTROL_OPTIONS, type ControlOptions } from './control-options';

export interface FeedHandlers {
  onCommand(command: ControlCommand): void;
  onAnswered(commandId: string): void;
  /** The NATS connection came back: live commands may have been missed meanwhile. */
  onReconnect(): void;
  /** A policy changed (announced on core NATS by the policy service). */
  onPolicyChanged(changed: PolicyChanged): void;
}

const REPLAY_BATCH = 256;
const REPLAY_FETCH_EXPIRES_MS = 5_000;
const REPLAY_CONSUMER_INACTIVE_MS = 30_000;
/** Replays at once; a mass reconnect (a replica stopped) must not create thousands of consumers together. */
const MAX_CONCURRENT_REPLAYS = 16;

@Injectable()
export class CommandFeed {
  private readonly logger = new Logger('ControlFeed');
  private subscriptions: Subscription[] = [];
  private statusWatch?: { stop(): void };
  private replaysRunning = 0;
  private readonly replayQueue: (() => void)[] = [];

  constructor(
    private readonly connection: MessagingConnection,
    @Inject(CONTROL_OPTIONS) private readonly options: ControlOptions,
  ) {}

  private get namespace(): string {
    return this.connection.options.namespace;
  }

  async start(handlers: FeedHandlers): Promise<void> {
    const nc = await this.connection.nc();
    const commandSubjects = fullSubject(this.namespace, `${MESSAGES['control.command'].subject}.*`);
    this.subscriptions.push(
      nc.subscribe(commandSubjects, {
        callback: (err, msg) => {
          if (err) return;
          const command = this.decode(msg, MESSAGES['control.command'].schema, 'control.command');
          if (command && this.isOwnSubject(msg.subject, command)) handlers.onCommand(command);
        },
      }),
      nc.subscribe(fullSubject(this.namespace, filterOf('command.result')), {
        callback: (err, msg) => {
          if (err) return;
          const result = this.decode(msg, MESSAGES['command.result'].schema, 'command.result');
          if (result) handlers.onAnswered(result.commandId);
        },
      }),
      nc.subscribe(fullSubject(this.namespace, POLICY_CHANGED_SUBJECT), {
        callback: (err, msg) => {
          if (err) return;
          const changed = this.decode(msg, policyChangedV1, 'policy change');
          if (changed) handlers.onPolicyChanged(changed);
        },
      }),
    );
    const status = nc.status();
    this.statusWatch = stoppable(status);
    void (async () => {
      for await (const s of status) if (s.type === 'reconnect') handlers.onReconnect();
    })().catch(() => undefined);
  }

  stop(): void {
    for (const s of this.subscriptions) s.unsubscribe();
    this.subscriptions = [];
    this.statusWatch?.stop();
    this.statusWatch = undefined;
  }

  /** The agent's commands stored within the replay window, oldest first. */
  async replay(agentId: string): Promise<ControlCommand[]> {
    // A finishing replay hands its slot straight to the next waiter.
    if (this.replaysRunning >= MAX_CONCURRENT_REPLAYS) {
      await new Promise<void>((resolve) => this.replayQueue.push(resolve));
    } else {
      this.replaysRunning++;
    }
    try {
      return await this.readStored(agentId, Date.now());
    } finally {
      const next = this.replayQueue.shift();
      if (next) next();
      else this.replaysRunning--;
    }
  }

  private async readStored(agentId: string, now: number): Promise<ControlCommand[]> {
    const jsm = await this.connection.jsm();
    const js = await this.connection.js();
    const stream = streamName(this.namespace, STREAMS.CONTROL.name);
    const filter = fullSubject(
      this.namespace,
      `${MESSAGES['control.command'].subject}.${assertToken(agentId, 'agentId')}`,
    );
    const info = await jsm.consumers.add(stream, {
      filter_subject: filter,
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: new Date(now - this.options.replayWindowMs).toISOString(),
      ack_policy: AckPolicy.None,
      inactive_threshold: nanos(REPLAY_CONSUMER_INACTIVE_MS),
      mem_storage: true,
      num_replicas: 1,
    });
    const out: ControlCommand[] = [];
    try {
      let pending = info.num_pending;
      const consumer = await js.consumers.get(stream, info.name);
      while (pending > 0) {
        const batch = await consumer.fetch({
          max_messages: Math.min(pending, REPLAY_BATCH),
          expires: REPLAY_FETCH_EXPIRES_MS,
        });
        let received = 0;
        for await (const m of batch) {
          received++;
          pending = m.info.pending;
          const command = this.decode(m, MESSAGES['control.command'].schema, 'control.command');
          if (command && this.isOwnSubject(m.subject, command)) out.push(command);
          if (pending === 0) break;
        }
        if (received === 0) break;
      }
    } finally {
      await jsm.consumers.delete(stream, info.name).catch(() => undefined);
    }
    return out;
  }

  /** A command is only for the agent named in its subject (a raw publish could disagree). */
  private isOwnSubject(subject: string, command: ControlCommand): boolean {
    const expected = fullSubject(
      this.namespace,
      `${MESSAGES['control.command'].subject}.${command.agentId}`,
    );
    if (subject === expected) return true;
    this.logger.warn(
      `dropped command ${command.commandId}: subject ${subject} names another agent`,
    );
    return false;
  }

  private decode<S extends z.ZodType>(
    msg: Pick<Msg, 'data' | 'subject'>,
    schema: S,
    what: string,
  ): z.output<S> | undefined {
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(msg.data));
    } catch {
      this.logger.warn(`ignored ${what} on ${msg.subject}: not JSON`);
      return undefined;
    }
    const parsed = schema.safeParse(json);
    if (parsed.success) return parsed.data;
    this.logger.warn(`ignored ${what} on ${msg.subject}: ${parsed.error.issues[0]?.message ?? ''}`);
    return undefined;
  }
}

/** nats.js status iterators can be stopped, which ends the loop reading them. */
function stoppable(iterable: AsyncIterable<unknown>): { stop(): void } | undefined {
  const candidate = iterable as { stop?: unknown };
  return typeof candidate.stop === 'function'
    ? { stop: () => (candidate.stop as () => void).call(iterable) }
    : undefined;
}
