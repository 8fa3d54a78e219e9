/**
 * `sessionrec-agent run`: the systemd service. It holds the agent identity (root only),
 * uploads the spool, keeps the control WebSocket, and serves session wrappers on a Unix
 * socket (0666 in a 0755 directory: any local user may start a session, and the kernel
 * tells the daemon which user each one is). Control commands for a session go to its
 * wrapper; policy changes make every session ask again. A restart keeps the spool and
 * lets wrappers of running sessions resume.
 */
import { chmod, mkdir, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type CommandVerdict, type ControlCommand, ControlClient } from '../control/control-client';
import { ExecTracer } from '../detect/exec-tracer';
import { IngestClient } from '../http/ingest-client';
import { ensureIdentity } from '../identity/enrol';
import { PolicyClient } from '../policy/policy-client';
import { Spool } from '../spool/spool';
import type { SpoolItem } from '../spool/spool-item';
import { Uploader } from '../upload/uploader';
import type { AgentConfig } from './config';
import { DaemonSession, type DaemonSubmit } from './daemon-session';
import { desktopSocketPath, listenForDesktops } from './desktop-server';
import type { DesktopDaemonContext, DesktopDaemonSession } from './desktop-session';
import { peerOf } from './peer';
import { SessionStateStore } from './session-state';

/** Room kept in the spool for session ends and recording stops when segments no longer fit. */
const SPOOL_RESERVE_BYTES = 256 * 1024;

export interface DaemonOptions {
  readonly config: AgentConfig;
  /** Enrolment token, needed only when no identity is stored. */
  readonly token?: string;
  readonly hostname?: string;
  readonly log: (line: string) => void;
  /** Tests: every item ingest acknowledged. */
  readonly onAcked?: (item: SpoolItem, status: number) => void;
  /** Tests: replaces the kernel lookup of the peer. */
  readonly peerOf?: DesktopDaemonContext['peerOf'];
}

export class AgentDaemon {
  private server: net.Server | undefined;
  private desktopServer: net.Server | undefined;
  private uploader: Uploader | undefined;
  private control: ControlClient | undefined;
  private spool: Spool | undefined;
  private execTracer: ExecTracer | undefined;
  private readonly sessions = new Map<string, DaemonSession | DesktopDaemonSession>();
  private readonly connections = new Set<DaemonSession | DesktopDaemonSession>();

  constructor(private readonly options: DaemonOptions) {}

  get spoolBytes(): number {
    return this.spool?.bytes ?? 0;
  }

  get queued(): number {
    return this.uploader?.queued ?? 0;
  }

  async start(): Promise<void> {
    const { config, log } = this.options;
    const { identity, enrolled } = await ensureIdentity({
      ingest: config.ingest,
      ...(this.options.token ? { token: this.options.token } : {}),
      stateDir: config.stateDir,
      ...(this.options.hostname ? { hostname: this.options.hostname } : {}),
    });
    log(enrolled ? `enrolled as agent ${identity.agentId}` : `agent ${identity.agentId}`);
    const maxBytes = config.spool.maxMb * 1024 * 1024;
    const { spool, recovered } = await Spool.open({
      dir: path.join(config.stateDir, 'spool', identity.agentId),
      maxBytes,
    });
    this.spool = spool;
    const uploader = new Uploader({
      client: new IngestClient(config.ingest, identity.credential),
      spool,
      concurrency: 4,
      log,
      ...(this.options.onAcked ? { onAcked: this.options.onAcked } : {}),
      onUnauthorized: (reason) =>
        log(`ingest refused the agent credential (${reason}); spool kept, enrol again`),
    });
    this.uploader = uploader;
    if (recovered.length > 0)
      log(`spool: ${recovered.length} items left by an earlier run, sending`);
    for (const item of recovered) uploader.enqueue(item, true);

    const submit: DaemonSubmit = async (meta, body) => {
      const item = await spool.put(
        { ...meta, headers: meta.headers ?? {}, createdAt: new Date().toISOString() },
        body,
      );
      uploader.enqueue(item);
    };
    // Every exec from the kernel (forkstat); without it the wrappers poll /proc.
    const execTracer = new ExecTracer({ log });
    if (await execTracer.start()) this.execTracer = execTracer;
    const context: DesktopDaemonContext = {
      config,
      hostname: this.options.hostname ?? os.hostname(),
      submit,
      spoolHasRoom: (bytes) => spool.bytes + bytes + SPOOL_RESERVE_BYTES <= maxBytes,
      policy: new PolicyClient(
        new IngestClient(config.ingest, identity.credential, 5_000),
        config.policy.failureMode,
      ),
      states: new SessionStateStore(path.join(config.stateDir, 'sessions')),
      peerOf: this.options.peerOf ?? peerOf,
      log,
      ...(this.execTracer ? { execTracer: this.execTracer } : {}),
    };

    this.control = new ControlClient({
      ingest: config.ingest,
      credential: identity.credential,
      log,
      onCommand: (command) => this.onCommand(command),
    });
    this.control.start();

    const socketDir = path.dirname(config.socket);
    await mkdir(socketDir, { recursive: true, mode: 0o755 });
    await rm(config.socket, { force: true });
    const server = net.createServer((socket) => {
      const session = new DaemonSession(
        socket,
        context,
        (ready) => this.sessions.set(ready.sessionId!, ready),
        (gone) => this.sessions.delete(gone.sessionId!),
      );
      this.connections.add(session);
      socket.once('close', () => this.connections.delete(session));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.socket, () => resolve());
    });
    await chmod(config.socket, 0o666);
    this.server = server;
    log(`listening for sessions on ${config.socket}`);
    this.desktopServer = await listenForDesktops(desktopSocketPath(config), context, {
      ready: (ready) => this.sessions.set(ready.sessionId!, ready),
      gone: (gone) => this.sessions.delete(gone.sessionId!),
      connected: (session) => this.connections.add(session),
      disconnected: (session) => this.connections.delete(session),
    });
    log(`listening for desktop sessions on ${desktopSocketPath(config)}`);
  }

  /** Resolves when everything spooled so far has been acknowledged. */
  idle(): Promise<void> {
    return this.uploader?.idle() ?? Promise.resolve();
  }

  /** Stops serving; running sessions stay resumable, the spool stays on disk. */
  async stop(): Promise<void> {
    // close() waits for open connections: detach the sessions so it can finish.
    const closed = Promise.all(
      [this.server, this.desktopServer].map(
        (server) =>
          new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
      ),
    );
    await Promise.all([...this.connections].map((session) => session.detach()));
    await closed;
    this.uploader?.stop();
    await this.control?.stop();
    await this.execTracer?.stop();
  }

  private async onCommand(command: ControlCommand): Promise<CommandVerdict> {
    const { params } = command;
    const actor = typeof params.actor === 'string' ? params.actor : undefined;
    this.options.log(
      `control: ${command.action} ${command.sessionId ?? '(agent)'} [${command.commandId}]`,
    );
    if (command.action === 'policy-updated') {
      const sessions = [...this.sessions.values()];
      await Promise.all(sessions.map((session) => session.policyChanged()));
      return { status: 'acked', detail: `re-evaluated ${sessions.length} session(s)` };
    }
    const session = command.sessionId ? this.sessions.get(command.sessionId) : undefined;
    if (!session) {
      return {
        status: 'failed',
        detail: command.sessionId ? 'unknown session' : 'sessionId is required',
      };
    }
    if (command.action === 'start-recording' || command.action === 'stop-recording') {
      return session.recordingCommand(command.action, actor);
    }
    const message =
      typeof params.message === 'string'
        ? params.message
        : typeof params.text === 'string'
          ? params.text
          : undefined;
    return session.wrapperCommand(command.commandId, command.action, message);
  }
}
