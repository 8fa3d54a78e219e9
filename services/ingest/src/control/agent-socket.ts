/**
 * One agent's live control WebSocket: turns commands into serverFrames (once per
 * connection), validates every frame the agent sends, keeps the heartbeat, and closes
 * the socket with a code the agent can act on. It never throws into the event loop: a
 * bad frame closes this socket and nothing else.
 */
import { agentProtocol, type ControlCommand } from '@sessionrec/contracts';
import type { RawData, WebSocket } from 'ws';
import { CLOSE_CODES, type ControlOptions } from './control-options';

export interface CommandResultFrame {
  readonly commandId: string;
  readonly status: 'acked' | 'failed';
  readonly detail?: string | undefined;
}

export interface AgentSocketEvents {
  onResult(socket: AgentSocket, result: CommandResultFrame): void;
  onClosed(socket: AgentSocket, code: number, reason: string): void;
}

/** Enough per-connection memory to de-duplicate replay against live delivery. */
const MAX_REMEMBERED_COMMANDS = 10_000;

export class AgentSocket {
  private readonly sent = new Set<string>();
  private lastHeardAt: number;
  private heartbeat?: NodeJS.Timeout;
  private killTimer?: NodeJS.Timeout;
  private closedResolve?: () => void;
  /** Resolves once the socket is closed (handshake finished or connection cut). */
  readonly closed: Promise<void>;
  private isClosed = false;

  constructor(
    readonly agentId: string,
    readonly remoteAddress: string,
    private readonly ws: WebSocket,
    private readonly options: ControlOptions,
    private readonly events: AgentSocketEvents,
    private readonly now: () => number = Date.now,
  ) {
    this.lastHeardAt = now();
    this.closed = new Promise((resolve) => (this.closedResolve = resolve));
  }

  start(): void {
    this.ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    this.ws.on('pong', () => (this.lastHeardAt = this.now()));
    this.ws.on('error', () => undefined);
    this.ws.once('close', (code, reason) => this.onClose(code, reason.toString('utf8')));
    this.heartbeat = setInterval(() => this.beat(), this.options.pingIntervalMs);
  }

  get open(): boolean {
    return !this.isClosed && this.ws.readyState === this.ws.OPEN;
  }

  /** Sends a command unless this connection already carried it; true when sent now. */
  sendCommand(command: ControlCommand): boolean {
    if (!this.open || this.sent.has(command.commandId)) return false;
    const frame = agentProtocol.serverFrame.parse({
      type: 'command',
      commandId: command.commandId,
      ...(command.sessionId === undefined ? {} : { sessionId: command.sessionId }),
      action: command.action,
      params: command.params,
      expiresAt: command.expiresAt,
    });
    this.remember(command.commandId);
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Starts the closing handshake; the TCP connection is cut if it does not finish soon. */
  close(code: number, reason: string): Promise<void> {
    this.stopHeartbeat();
    if (!this.isClosed && !this.killTimer) {
      this.ws.close(code, reason);
      this.killTimer = setTimeout(() => this.ws.terminate(), this.options.closeGraceMs);
    }
    return this.closed;
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.lastHeardAt = this.now();
    if (isBinary) {
      void this.close(CLOSE_CODES.policyViolation, 'binary frames are not accepted');
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(rawText(data));
    } catch {
      void this.close(CLOSE_CODES.policyViolation, 'frame is not JSON');
      return;
    }
    const parsed = agentProtocol.agentFrame.safeParse(json);
    if (!parsed.success) {
      void this.close(CLOSE_CODES.policyViolation, 'frame is not a valid agentFrame');
      return;
    }
    const frame = parsed.data;
    if (frame.type === 'command-result') {
      this.events.onResult(this, {
        commandId: frame.commandId,
        status: frame.status,
        detail: frame.detail,
      });
    }
  }

  private beat(): void {
    if (this.now() - this.lastHeardAt >= this.options.idleTimeoutMs) {
      void this.close(CLOSE_CODES.idleTimeout, 'no frame from the agent within the idle timeout');
      return;
    }
    if (!this.open) return;
    const ping = agentProtocol.serverFrame.parse({
      type: 'ping',
      at: new Date(this.now()).toISOString(),
    });
    this.ws.send(JSON.stringify(ping));
  }

  private onClose(code: number, reason: string): void {
    this.isClosed = true;
    this.stopHeartbeat();
    clearTimeout(this.killTimer);
    this.sent.clear();
    this.events.onClosed(this, code, reason);
    this.closedResolve?.();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private remember(commandId: string): void {
    if (this.sent.size >= MAX_REMEMBERED_COMMANDS) {
      const oldest = this.sent.values().next();
      if (!oldest.done) this.sent.delete(oldest.value);
    }
    this.sent.add(commandId);
  }
}

function rawText(data: RawData): string {
  const buffer = Array.isArray(data)
    ? Buffer.concat(data)
    : Buffer.isBuffer(data)
      ? data
      : Buffer.from(data);
  return new TextDecoder('utf-8', { fatal: true }).decode(buffer);
}
