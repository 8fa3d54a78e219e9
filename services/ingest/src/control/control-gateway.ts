/**
 * The control WebSocket endpoint, `GET /agent/v1/control`, on the ingest HTTP server.
 * It authenticates the upgrade request (401 before any WebSocket exists), keeps one
 * socket per agent, sends commands seen live on NATS or replayed from the CONTROL stream,
 * passes the agent's results to the command tracker, and closes sockets on revocation
 * and on shutdown. Fastify knows nothing of upgrades, so this listens on the Node server.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type BeforeApplicationShutdown,
  HttpException,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ControlCommand, PolicyChanged, PolicyKind } from '@sessionrec/contracts';
import { WebSocketServer, type WebSocket } from 'ws';
import { AgentAuthService } from '../auth/agent-auth.service';
import { AgentRegistry } from './agent-registry';
import { AgentSocket, type CommandResultFrame } from './agent-socket';
import { BoundedIdSet } from './bounded-id-set';
import { CommandFeed } from './command-feed';
import { CommandTracker } from './command-tracker';
import { CLOSE_CODES, CONTROL_OPTIONS, CONTROL_PATH, type ControlOptions } from './control-options';

/** The policy kinds agents apply themselves; the others (viewing, responses) stay server-side. */
const AGENT_POLICY_KINDS: ReadonlySet<PolicyKind> = new Set<PolicyKind>(['recording', 'detection']);
const POLICY_NOTICE_TTL_MS = 60_000;

@Injectable()
export class ControlGateway implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('ControlGateway');
  private readonly registry = new AgentRegistry();
  private readonly wss: WebSocketServer;
  private server?: Server;
  private stopping = false;
  private stopRevocations?: () => void;
  /** Ids of policy-updated notices sent and not yet answered (bounded: see PolicyNotices). */
  private readonly policyNotices = new BoundedIdSet(10_000);

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly auth: AgentAuthService,
    private readonly feed: CommandFeed,
    private readonly tracker: CommandTracker,
    @Inject(CONTROL_OPTIONS) private readonly options: ControlOptions,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayloadBytes,
      perMessageDeflate: false,
      clientTracking: false,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.stopRevocations = this.auth.onRevoked((agentId) => this.revoke(agentId));
    this.tracker.start();
    await this.feed.start({
      onCommand: (command) => this.deliverLive(command),
      onAnswered: (commandId) => this.tracker.noteAnswered(commandId),
      onReconnect: () => {
        for (const socket of this.registry.all()) void this.replay(socket);
      },
      onPolicyChanged: (changed) => this.announcePolicy(changed),
    });
    this.server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.server.on('upgrade', this.onUpgrade);
  }

  /** Closes every socket with 1001 so agents reconnect elsewhere, then stops listening to NATS. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.server?.off('upgrade', this.onUpgrade);
    this.stopRevocations?.();
    this.feed.stop();
    const sockets = this.registry.all();
    await Promise.all(
      sockets.map((s) => s.close(CLOSE_CODES.goingAway, 'ingest is shutting down')),
    );
    if (sockets.length > 0)
      this.logger.log(`closed ${sockets.length} control socket(s) on shutdown`);
    await this.tracker.stop();
    this.registry.dispose();
    this.wss.close();
  }

  /** Agents connected to this instance (for tests and diagnostics). */
  connectedAgents(): number {
    return this.registry.size;
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    if (pathOf(req.url) !== CONTROL_PATH) {
      // Another listener may own that path; with none, nobody will answer, so we do.
      if ((this.server?.listenerCount('upgrade') ?? 1) <= 1) refuse(socket, 404);
      return;
    }
    if (this.stopping) {
      refuse(socket, 503);
      return;
    }
    this.accept(req, socket, head).catch((err: unknown) => {
      this.logger.error(`control upgrade failed: ${messageOf(err)}`);
      refuse(socket, 500);
    });
  };

  private async accept(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    let agentId: string;
    try {
      ({ agentId } = await this.auth.authenticate(req.headers.authorization));
    } catch (err) {
      const status = err instanceof HttpException ? err.getStatus() : 503;
      if (status >= 500) this.logger.warn(`control upgrade refused (${status}): ${messageOf(err)}`);
      refuse(socket, status, status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {});
      return;
    }
    if (this.stopping) {
      refuse(socket, 503);
      return;
    }
    if (socket.destroyed) return;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(agentId, ws, req));
  }

  private attach(agentId: string, ws: WebSocket, req: IncomingMessage): void {
    const socket = new AgentSocket(agentId, req.socket.remoteAddress ?? '', ws, this.options, {
      onResult: (s, result) => this.onResult(s, result),
      onClosed: (s, code, reason) => {
        this.registry.remove(s);
        this.logger.log(
          `agent ${s.agentId} disconnected from control (${code}${reason ? ` ${reason}` : ''}); ${this.registry.size} connected`,
        );
      },
    });
    socket.start();
    if (this.stopping) {
      void socket.close(CLOSE_CODES.goingAway, 'ingest is shutting down');
      return;
    }
    const previous = this.registry.add(socket);
    if (previous) void previous.close(CLOSE_CODES.replaced, 'replaced by a newer connection');
    this.logger.log(
      `agent ${agentId} connected to control from ${socket.remoteAddress}; ${this.registry.size} connected`,
    );
    void this.replay(socket);
  }

  private deliverLive(command: ControlCommand): void {
    if (this.tracker.observe(command, 'live') !== 'deliverable') return;
    const socket = this.registry.get(command.agentId);
    if (socket?.sendCommand(command)) this.tracker.markDelivered(command.commandId);
  }

  /** Sends what the agent may have missed; a replay that fails asks the agent to come back. */
  private async replay(socket: AgentSocket): Promise<void> {
    let commands: ControlCommand[];
    try {
      commands = await this.feed.replay(socket.agentId);
    } catch (err) {
      if (this.stopping || !socket.open) return;
      this.logger.warn(`command replay for agent ${socket.agentId} failed: ${messageOf(err)}`);
      void socket.close(CLOSE_CODES.tryAgainLater, 'pending commands unavailable; reconnect later');
      return;
    }
    let sent = 0;
    for (const command of commands) {
      if (!socket.open) return;
      if (this.tracker.observe(command, 'replay') !== 'deliverable') continue;
      if (socket.sendCommand(command)) {
        this.tracker.markDelivered(command.commandId);
        sent++;
      }
    }
    if (sent > 0) this.logger.log(`replayed ${sent} pending command(s) to agent ${socket.agentId}`);
  }

  /**
   * Tells every agent connected here that a policy it applies changed, so it asks again
   * for its running sessions. Sent straight to the sockets (each instance tells its own
   * agents), not through the CONTROL stream: an agent that is offline asks anyway when it
   * reconnects and at its next session start, so nothing durable is needed.
   */
  private announcePolicy(changed: PolicyChanged): void {
    if (changed.kind !== undefined && !AGENT_POLICY_KINDS.has(changed.kind)) return;
    const now = Date.now();
    let told = 0;
    for (const socket of this.registry.all()) {
      const command: ControlCommand = {
        v: 1,
        commandId: randomUUID(),
        agentId: socket.agentId,
        action: 'policy-updated',
        params: { kind: changed.kind ?? 'all', version: changed.version },
        issuedAt: new Date(now).toISOString(),
        expiresAt: new Date(now + POLICY_NOTICE_TTL_MS).toISOString(),
        issuedBy: 'policy',
      };
      if (socket.sendCommand(command)) {
        this.policyNotices.add(command.commandId);
        told++;
      }
    }
    if (told > 0) {
      this.logger.log(
        `told ${told} agent(s) that the ${changed.kind ?? ''} policy changed (version ${changed.version})`,
      );
    }
  }

  private onResult(socket: AgentSocket, result: CommandResultFrame): void {
    // Answers to policy notices are not tracked commands: nobody waits for them.
    if (this.policyNotices.delete(result.commandId)) return;
    const verdict = this.tracker.acceptResult(socket.agentId, result);
    if (verdict === 'unknown') {
      this.logger.warn(
        `agent ${socket.agentId} reported ${result.status} for command ${result.commandId}, which was not sent to it here: ignored`,
      );
    }
  }

  private revoke(agentId: string): void {
    const socket = this.registry.get(agentId);
    if (!socket) return;
    this.logger.log(`agent ${agentId} revoked: closing its control socket`);
    void socket.close(CLOSE_CODES.revoked, 'agent credential revoked');
  }
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '';
  const q = raw.indexOf('?');
  return q === -1 ? raw : raw.slice(0, q);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Answers an upgrade request with a plain HTTP error; no WebSocket is created. */
function refuse(socket: Duplex, status: number, headers: Record<string, string> = {}): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const body = STATUS_CODES[status] ?? 'Error';
  const lines = [
    `HTTP/1.1 ${status} ${body}`,
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.once('finish', () => socket.destroy());
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}
