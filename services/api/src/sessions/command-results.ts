/**
 * What became of the commands sent to agents, so the console can say whether the agent
 * carried one out: every api replica listens on core NATS to the commands (`control.command`,
 * whichever replica sent them) and to their results (`command.result`: acked, failed or
 * timed-out, published by ingest when the agent answered or the command expired), and
 * keeps the recent ones in memory. A command older than MAX_TRACKED newer ones, or sent
 * before this replica started, is unknown here (404); nothing else depends on this record.
 */
import type { Subscription } from '@nats-io/nats-core';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  type CommandResult,
  type ControlCommand,
  filterOf,
  fullSubject,
  MESSAGES,
} from '@sessionrec/contracts';
import { MessagingConnection } from '@sessionrec/messaging';
import type { z } from 'zod';

/** Commands (and results) remembered; the oldest are forgotten first. */
const MAX_TRACKED = 10_000;
/** Past its expiry plus this, a command with no result is reported timed out. */
const EXPIRY_GRACE_MS = 10_000;

export interface CommandStatus {
  commandId: string;
  sessionId: string;
  action: string;
  issuedAt: string;
  issuedBy: string;
  /** `sent`: no answer yet. The others are final. */
  status: 'sent' | 'acked' | 'failed' | 'timed-out';
  detail?: string;
  answeredAt?: string;
}

interface Sent {
  sessionId: string;
  action: string;
  issuedAt: string;
  issuedBy: string;
  expiresAt: string;
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_TRACKED) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
}

@Injectable()
export class CommandResults implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(CommandResults.name);
  private readonly sent = new Map<string, Sent>();
  private readonly results = new Map<string, CommandResult>();
  private subscriptions: Subscription[] = [];

  constructor(private readonly connection: MessagingConnection) {}

  async onApplicationBootstrap(): Promise<void> {
    const nc = await this.connection.nc();
    const ns = this.connection.options.namespace;
    this.subscriptions.push(
      nc.subscribe(fullSubject(ns, filterOf('control.command')), {
        callback: (err, msg) => {
          if (err) return;
          const command = this.decode(msg.data, MESSAGES['control.command'].schema);
          if (command) this.recordSent(command);
        },
      }),
      nc.subscribe(fullSubject(ns, filterOf('command.result')), {
        callback: (err, msg) => {
          if (err) return;
          const result = this.decode(msg.data, MESSAGES['command.result'].schema);
          // The first final answer stands (a repeated one says the same).
          if (result && !this.results.has(result.commandId)) {
            remember(this.results, result.commandId, result);
          }
        },
      }),
    );
  }

  onApplicationShutdown(): void {
    for (const s of this.subscriptions) s.unsubscribe();
    this.subscriptions = [];
  }

  /** Called by the sender too, so its own replica knows the command before NATS echoes it. */
  recordSent(command: ControlCommand): void {
    if (!command.sessionId) return;
    remember(this.sent, command.commandId, {
      sessionId: command.sessionId,
      action: command.action,
      issuedAt: command.issuedAt,
      issuedBy: command.issuedBy,
      expiresAt: command.expiresAt,
    });
  }

  /** The command's state, if it was sent to this session's agent and is remembered. */
  status(sessionId: string, commandId: string, now = Date.now()): CommandStatus | undefined {
    const sent = this.sent.get(commandId);
    if (!sent || sent.sessionId !== sessionId) return undefined;
    const base = {
      commandId,
      sessionId,
      action: sent.action,
      issuedAt: sent.issuedAt,
      issuedBy: sent.issuedBy,
    };
    const result = this.results.get(commandId);
    if (result) {
      return {
        ...base,
        status: result.status,
        ...(result.detail !== undefined ? { detail: result.detail } : {}),
        answeredAt: result.at,
      };
    }
    if (now > Date.parse(sent.expiresAt) + EXPIRY_GRACE_MS) {
      return { ...base, status: 'timed-out', detail: 'no answer from the agent' };
    }
    return { ...base, status: 'sent' };
  }

  private decode<S extends z.ZodType>(data: Uint8Array, schema: S): z.output<S> | undefined {
    try {
      const parsed = schema.safeParse(JSON.parse(new TextDecoder().decode(data)));
      return parsed.success ? parsed.data : undefined;
    } catch {
      this.log.debug('ignored a malformed command message');
      return undefined;
    }
  }
}
