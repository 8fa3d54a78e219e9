/**
 * The agent's end of the control WebSocket (/agent/v1/control, docs/control-channel.md):
 * answers pings, hands each command to a handler once and reports its verdict (again,
 * unchanged, when the command is redelivered), ignores expired commands, survives
 * garbage frames, and reconnects with backoff unless ingest says not to (401, 4401, 4000).
 */
import { agentProtocol, id } from '@sessionrec/contracts';
import WebSocket from 'ws';
import { type BackoffPolicy, retryDelay } from '../http/backoff';
import { normaliseIngestUrl } from '../http/ingest-client';

export type ControlCommand = Extract<agentProtocol.ServerFrame, { type: 'command' }>;
export interface CommandVerdict {
  readonly status: 'acked' | 'failed';
  readonly detail?: string;
}

export interface ControlClientOptions {
  readonly ingest: string;
  readonly credential: string;
  readonly onCommand: (command: ControlCommand) => CommandVerdict | Promise<CommandVerdict>;
  readonly log?: (line: string) => void;
  readonly backoff?: BackoffPolicy;
  /** Ingest refused the credential (401 on upgrade, or close 4401): the client has stopped. */
  readonly onUnauthorized?: () => void;
}

export interface ControlStats {
  connects: number;
  disconnects: number;
  pings: number;
  commands: number;
  acked: number;
  failed: number;
  /** Commands past their expiresAt on arrival: ignored, as the protocol asks. */
  expired: number;
  /** Commands delivered again (replay after a reconnect): answered from memory. */
  repeated: number;
  invalidFrames: number;
}

const RECONNECT: BackoffPolicy = { baseMs: 1000, maxMs: 60_000 };
/** How many answered commands are remembered for redeliveries. */
const REMEMBERED_COMMANDS = 10_000;
const CLOSE_GOING_AWAY = 1001;
const CLOSE_REPLACED = 4000;
const CLOSE_REVOKED = 4401;

export function controlUrl(ingest: string): string {
  const url = normaliseIngestUrl(ingest);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${url.toString().replace(/\/$/, '')}${agentProtocol.AGENT_BASE_PATH}/control`;
}

/** A frame that failed validation, if it still names a command we can answer. */
function commandIdOf(raw: unknown): string | undefined {
  const commandId = (raw as { commandId?: unknown } | null)?.commandId;
  return id.safeParse(commandId).success ? (commandId as string) : undefined;
}

function textOf(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

export class ControlClient {
  readonly stats: ControlStats = {
    connects: 0,
    disconnects: 0,
    pings: 0,
    commands: 0,
    acked: 0,
    failed: 0,
    expired: 0,
    repeated: 0,
    invalidFrames: 0,
  };
  private readonly verdicts = new Map<string, Promise<CommandVerdict>>();
  private socket: WebSocket | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;

  constructor(private readonly options: ControlClientOptions) {}

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  start(): void {
    this.closed = false;
    this.connect();
  }

  /** Closes the connection for good and resolves once the socket is gone. */
  async stop(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const socket = this.socket;
    this.socket = undefined;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.terminate();
        resolve();
      }, 2000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      else socket.close(1000, 'agent stopping');
    });
  }

  private connect(): void {
    const socket = new WebSocket(controlUrl(this.options.ingest), {
      headers: { authorization: `Bearer ${this.options.credential}` },
      handshakeTimeout: 10_000,
    });
    this.socket = socket;
    socket.on('open', () => {
      this.failures = 0;
      this.stats.connects += 1;
      this.options.log?.('control: connected');
    });
    socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      void this.onMessage(socket, isBinary ? null : textOf(data));
    });
    socket.on('unexpected-response', (_request, response) => {
      this.options.log?.(`control: upgrade refused with HTTP ${response.statusCode ?? '?'}`);
      if (response.statusCode === 401) this.refuse();
      socket.terminate();
    });
    socket.on('error', (error) => {
      this.options.log?.(`control: ${error.message}`);
    });
    socket.on('close', (code: number) => {
      if (this.socket === socket) this.socket = undefined;
      this.stats.disconnects += 1;
      if (code === CLOSE_REVOKED) {
        this.options.log?.('control: closed by ingest, the agent was revoked');
        this.refuse();
      }
      if (this.closed) return;
      if (code === CLOSE_REPLACED) {
        // Another connection with this identity took over; two would only evict each other.
        this.options.log?.(
          'control: replaced by a newer connection of this agent; not reconnecting',
        );
        this.closed = true;
        return;
      }
      let delay: number;
      if (code === CLOSE_GOING_AWAY) {
        delay = Math.round(Math.random() * 250); // ingest is restarting: another replica is up
      } else {
        this.failures += 1;
        delay = retryDelay(this.failures, undefined, this.options.backoff ?? RECONNECT);
      }
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
    });
  }

  private refuse(): void {
    if (this.closed) return;
    this.closed = true;
    this.options.onUnauthorized?.();
  }

  private send(socket: WebSocket, frame: agentProtocol.AgentFrame): void {
    if (socket.readyState !== WebSocket.OPEN) return;
    socket.send(JSON.stringify(agentProtocol.agentFrame.parse(frame)));
  }

  private async onMessage(socket: WebSocket, text: string | null): Promise<void> {
    let raw: unknown;
    try {
      raw = text === null ? null : JSON.parse(text);
    } catch {
      raw = null;
    }
    const frame = agentProtocol.serverFrame.safeParse(raw);
    if (!frame.success) {
      this.stats.invalidFrames += 1;
      this.options.log?.('control: ignored an invalid frame');
      const commandId = commandIdOf(raw);
      if (commandId) {
        this.stats.failed += 1;
        this.send(socket, {
          type: 'command-result',
          commandId,
          status: 'failed',
          detail: 'invalid command frame',
        });
      }
      return;
    }
    if (frame.data.type === 'ping') {
      this.stats.pings += 1;
      this.send(socket, { type: 'pong', at: new Date().toISOString() });
      return;
    }
    const command = frame.data;
    this.stats.commands += 1;
    let verdict = this.verdicts.get(command.commandId);
    if (verdict) {
      this.stats.repeated += 1;
    } else {
      if (Date.parse(command.expiresAt) < Date.now()) {
        this.stats.expired += 1;
        this.options.log?.(`control: ignored expired command ${command.commandId}`);
        return;
      }
      verdict = this.decide(command);
      this.verdicts.set(command.commandId, verdict);
      if (this.verdicts.size > REMEMBERED_COMMANDS) {
        const oldest = this.verdicts.keys().next().value;
        if (oldest !== undefined) this.verdicts.delete(oldest);
      }
    }
    const { status, detail } = await verdict;
    this.send(socket, {
      type: 'command-result',
      commandId: command.commandId,
      status,
      ...(detail ? { detail: detail.slice(0, 2000) } : {}),
    });
  }

  private async decide(command: ControlCommand): Promise<CommandVerdict> {
    let verdict: CommandVerdict;
    try {
      verdict = await this.options.onCommand(command);
    } catch (error) {
      verdict = { status: 'failed', detail: (error as Error).message };
    }
    if (verdict.status === 'acked') this.stats.acked += 1;
    else this.stats.failed += 1;
    return verdict;
  }
}
