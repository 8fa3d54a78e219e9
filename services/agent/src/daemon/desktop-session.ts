/**
 * The daemon's side of one desktop session: a `sessionrec-agent desktop` process
 * connected on the desktop socket. Like the terminal side (daemon-session.ts) it starts
 * the session at ingest under the user the kernel names, asks policy, chains and spools
 * what it is sent and forwards control commands; in addition it re-asks policy when the
 * focused application changes (a rule may record, arm or mask for that application),
 * reports only what the detection policy asks for, tells the session which mounts are
 * removable or network storage, and arms record-on-event: the session keeps a rolling
 * buffer locally and the daemon, which sees every event, starts the recording when a
 * trigger fires. Screen segments are checked to be fMP4 (ftyp/moov init at sequence 0,
 * moof/mdat fragments after) before they are spooled.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type {
  EventType,
  PolicyDetectionEvaluateReply,
  PolicyEvaluateReply,
  RecordingReason,
} from '@sessionrec/contracts';
import { displayNumber } from '../desktop/x11/x11-text';
import { QualitySampler, type SshEndpoints, type TcpInfo, readTcpInfo } from '../detect/tcp-info';
import { readBoxes } from '../media/boxes';
import { sha256Hex } from '../media/hash-chain';
import { DetectionFilter } from '../policy/detection-filter';
import { TriggerMatcher } from '../policy/event-triggers';
import type { PolicyClient } from '../policy/policy-client';
import {
  type CommandAction,
  type CommandOutcome,
  type DaemonContext,
  LocalSessionChannel,
} from './local-session';
import {
  DEFAULT_DESKTOP_CAPTURE,
  type DesktopCapture,
  type DesktopDaemonMessage,
  type DesktopMessage,
  type DesktopRecordingState,
  type DesktopStorage,
  MAX_DESKTOP_LINE_BYTES,
  desktopMessage,
} from './desktop-wire';
import {
  type DisplayConnectionQuery,
  type Identified,
  destroyConnection,
  identifyDisplayConnections,
} from './display-disconnect';
import type { Peer } from './peer';
import { type SessionState, hashSecret, secretMatches } from './session-state';

export interface DesktopDaemonContext extends DaemonContext {
  readonly policy: Pick<PolicyClient, 'evaluate' | 'detection'>;
  /** Tests: replace the kernel's socket tables (display-disconnect.ts). */
  readonly displayConnections?: {
    identify(query: DisplayConnectionQuery): Promise<Identified>;
    destroy(endpoints: SshEndpoints): Promise<boolean>;
    tcpInfo?(endpoints: SshEndpoints): Promise<TcpInfo | null>;
  };
}

type SegmentMessage = Extract<DesktopMessage, { t: 'segment' }>;
type Attributes = Record<string, string | number | boolean | null>;

/** An init is ftyp + moov; a media segment holds moof/mdat pairs (styp/sidx allowed before). */
export function checkScreenSegment(bytes: Buffer, kind: 'init' | 'media', first: boolean): void {
  if (first !== (kind === 'init')) {
    throw new Error(
      first ? 'a screen recording starts with its init' : 'only the first segment is an init',
    );
  }
  const types = readBoxes(bytes).map((box) => box.type);
  if (kind === 'init') {
    if (types[0] !== 'ftyp' || !types.includes('moov') || types.includes('moof'))
      throw new Error(`not an fMP4 init segment (${types.join(',')})`);
    return;
  }
  const allowed = new Set(['styp', 'sidx', 'prft', 'moof', 'mdat', 'free']);
  if (!types.includes('moof') || !types.includes('mdat') || types.some((t) => !allowed.has(t)))
    throw new Error(`not an fMP4 media segment (${types.join(',')})`);
}

export class DesktopDaemonSession extends LocalSessionChannel<
  DesktopMessage,
  DesktopDaemonMessage,
  DesktopDaemonContext
> {
  private display = '';
  private capture: DesktopCapture = DEFAULT_DESKTOP_CAPTURE;
  private matcher: TriggerMatcher | undefined;
  /** Record-on-event is armed since this session time, by this rule version. */
  private armed: { atMs: number; ruleKey: string } | undefined;
  private detection = new DetectionFilter();
  private focusedApp: string | undefined;
  /** When capture was last restarted after a resize (at most 3 a minute). */
  private captureRestarts: number[] = [];
  /** Samples of a local display's remote connection, taken by the daemon. */
  private metricsTimer: NodeJS.Timeout | undefined;
  private readonly sampler = new QualitySampler();

  constructor(
    socket: Socket,
    ctx: DesktopDaemonContext,
    private readonly onReady: (session: DesktopDaemonSession) => void,
    private readonly onGone: (session: DesktopDaemonSession) => void,
  ) {
    super(socket, ctx, {
      label: 'desktop',
      peerName: 'desktop session',
      incoming: desktopMessage,
      maxLineBytes: MAX_DESKTOP_LINE_BYTES,
      helloTimeoutMs: 10_000,
      switchTimeoutMs: 15_000,
      commandTimeoutMs: 20_000,
      lostReason: 'desktop-lost',
    });
  }

  protected async handle(message: DesktopMessage): Promise<void> {
    switch (message.t) {
      case 'segment':
        return this.segment(message);
      case 'focus':
        return this.focus(message.app, message.offsetMs);
      case 'opened':
        return this.askFor(message.app, message.offsetMs);
      case 'events':
        return this.events(message.events);
      case 'end':
        return this.finish(message.reason, message.offsetMs);
      case 'capture-stopped':
        return this.captureStopped(message);
    }
  }

  private question(atMs: number, application = this.focusedApp) {
    const state = this.state!;
    return {
      sessionId: state.sessionId,
      user: state.user,
      groups: state.groups,
      host: this.ctx.hostname,
      ...(state.clientAddress ? { clientAddress: state.clientAddress } : {}),
      protocol: 'desktop' as const,
      ...(application ? { application } : {}),
      at: this.iso(atMs),
    };
  }

  private storage(): DesktopStorage {
    const { desktop } = this.ctx.config;
    const options = this.detection.settings?.options;
    return {
      removable: [...desktop.removableMounts, ...(options?.removableMountPoints ?? [])],
      network: [...desktop.networkMounts, ...(options?.networkMountPoints ?? [])],
    };
  }

  private idleSeconds(): number {
    return (
      this.detection.settings?.options?.idleThresholdSeconds ?? this.ctx.config.desktop.idleSeconds
    );
  }

  /** The session's own part of the detection settings: idle threshold and watched mounts. */
  private sendDetection(): void {
    this.send({ t: 'detection', idleSeconds: this.idleSeconds(), storage: this.storage() });
  }

  private async refreshDetection(): Promise<void> {
    const state = this.state!;
    const settings: PolicyDetectionEvaluateReply | undefined = await this.ctx.policy
      .detection({ user: state.user, groups: state.groups, host: this.ctx.hostname })
      .catch(() => undefined);
    if (settings) this.detection = new DetectionFilter(settings);
  }

  protected async begin(
    message: Extract<DesktopMessage, { t: 'hello' }>,
    peer: Peer,
  ): Promise<void> {
    const { config } = this.ctx;
    if (config.spool.whenFull === 'refuse-sessions' && !this.ctx.spoolHasRoom(16 * 1024 * 1024)) {
      this.send({
        t: 'refused',
        message: 'Session recording cannot store this session (the recording spool is full).',
      });
      this.socket.end();
      return;
    }
    this.display = message.display;
    const sessionId = randomUUID();
    const token = randomBytes(32).toString('base64url');
    this.startedAtMs = Date.now();
    // A local display's client is the one the kernel ties to it (not what the session says);
    // with X forwarding the session knows its own SSH connection.
    const address = this.localDisplay
      ? await this.identify(peer.uid).then((found) =>
          found.ok ? found.connections[0]!.endpoints.clientIp : undefined,
        )
      : message.clientAddress && /^[0-9a-fA-F.:]+$/.test(message.clientAddress)
        ? message.clientAddress
        : undefined;
    this.state = {
      sessionId,
      uid: peer.uid,
      user: peer.user,
      groups: peer.groups,
      startedAt: new Date(this.startedAtMs).toISOString(),
      ...(address ? { clientAddress: address } : {}),
      display: message.display,
      resumeHash: hashSecret(token),
      inputCapture: false,
      recording: null,
      policy: { ruleId: 'none', policyVersion: 0 },
    };
    await this.submitJson('session-start', '/sessions', {
      sessionId,
      user: peer.user,
      groups: peer.groups,
      host: this.ctx.hostname,
      ...(address ? { clientAddress: address } : {}),
      protocol: 'desktop',
      startedAt: this.state.startedAt,
    });
    await this.refreshDetection();
    const answer = await this.ctx.policy.evaluate(this.question(0));
    if (answer.fallbackReason)
      this.ctx.log(`desktop ${sessionId}: policy: ${answer.fallbackReason}`);
    await this.apply(answer.reply, 0, false, false);
    await this.ctx.states.save(this.state);
    this.ctx.log(
      `desktop ${sessionId}: ${peer.user} (uid ${peer.uid}, pid ${peer.pid}) on ${this.display}; ${answer.reply.decision} (${answer.reply.ruleId} v${answer.reply.policyVersion})`,
    );
    const { desktop } = config;
    this.send({
      t: 'welcome',
      sessionId,
      resumeToken: token,
      user: peer.user,
      recording: this.recordingState(),
      ...(answer.reply.notice ? { notice: answer.reply.notice } : {}),
      idleSeconds: this.idleSeconds(),
      segmentSeconds: desktop.segmentSeconds,
      metricSeconds: desktop.metricSeconds,
      ...(this.localDisplay ? { metricsByDaemon: true } : {}),
      storage: this.storage(),
    });
    this.startSampling();
    this.onReady(this);
  }

  protected async resume(
    message: Extract<DesktopMessage, { t: 'resume' }>,
    peer: Peer,
  ): Promise<void> {
    const state = await this.ctx.states.load(message.sessionId);
    if (!state || state.uid !== peer.uid || !secretMatches(message.token, state.resumeHash)) {
      this.send({ t: 'refused', message: 'unknown session' });
      this.socket.end();
      return;
    }
    this.state = state;
    this.display = state.display ?? '';
    this.startedAtMs = Date.parse(state.startedAt);
    // Capture settings and an armed trigger are not in the saved state: ask policy again.
    await this.refreshDetection();
    const answer = await this.ctx.policy.evaluate(this.question(this.nowMs()));
    await this.apply(answer.reply, this.nowMs(), false, false);
    await this.ctx.states.save(state);
    this.ctx.log(`desktop ${state.sessionId}: session of ${state.user} reconnected`);
    this.send({ t: 'resumed', recording: this.recordingState() });
    this.sendDetection();
    // Sessions that began under a daemon which samples (it recorded their display) resume so.
    if (state.display) this.startSampling();
    this.onReady(this);
  }

  private recordingState(): DesktopRecordingState {
    const preEventMs = this.matcher?.preEventMs;
    return {
      recordingId: this.state?.recording?.id ?? null,
      capture: this.capture,
      preEvent:
        this.armed && preEventMs !== undefined && !this.state?.recording
          ? { ms: preEventMs, maxBytes: this.ctx.config.desktop.preEventMaxMb * 1024 * 1024 }
          : null,
    };
  }

  /**
   * Applies a policy decision. On a focus change (`escalateOnly`) an answer can start or
   * arm recording and add masks but never stops a recording: switching away from an
   * application a rule names does not end what it started (that would flap with every
   * window switch); a policy change or the session's end does.
   */
  private async apply(
    decision: PolicyEvaluateReply,
    atMs: number,
    tell: boolean,
    escalateOnly: boolean,
  ): Promise<void> {
    const state = this.state!;
    if (escalateOnly) {
      if (decision.decision === 'do-not-record') return;
      if (state.recording && decision.decision === 'record-on-event') return;
      if (decision.decision === 'record-on-event' && this.armed) return;
    }
    state.policy = { ruleId: decision.ruleId, policyVersion: decision.policyVersion };
    const capture = decision.capture
      ? {
          frameRate: decision.capture.frameRate,
          quality: decision.capture.quality,
          excludedApplications: decision.capture.excludedApplications,
        }
      : DEFAULT_DESKTOP_CAPTURE;
    // Masks are only ever added on a focus change while recording: what one rule hides
    // stays hidden for the rest of that recording.
    this.capture =
      escalateOnly && state.recording
        ? {
            ...this.capture,
            excludedApplications: [
              ...new Set([...this.capture.excludedApplications, ...capture.excludedApplications]),
            ],
          }
        : capture;
    const ruleKey = `${decision.ruleId}@${decision.policyVersion}`;
    if (decision.decision === 'record-on-event' && decision.triggers) {
      this.matcher = new TriggerMatcher(decision.triggers);
      if (this.armed?.ruleKey !== ruleKey) this.armed = { atMs, ruleKey };
    } else {
      this.matcher = undefined;
      this.armed = undefined;
    }
    if (decision.decision === 'record') {
      if (!state.recording) await this.startRecording(atMs, 'policy', undefined, tell);
      else if (tell) await this.tellSession();
      return;
    }
    if (state.recording?.reason === 'policy' || state.recording?.reason === 'event') {
      await this.stopRecording(atMs, 'policy', undefined, tell);
    } else if (tell) {
      await this.tellSession();
    }
  }

  private async focus(app: string, atMs: number): Promise<void> {
    if (app === this.focusedApp) return;
    this.focusedApp = app;
    await this.askFor(app, atMs);
  }

  /** Asks policy about one application (focused or just opened) and escalates as it says. */
  private async askFor(app: string, atMs: number): Promise<void> {
    const answer = await this.ctx.policy.evaluate(this.question(atMs, app));
    const before = JSON.stringify(this.recordingState());
    await this.apply(answer.reply, atMs, false, true);
    if (JSON.stringify(this.recordingState()) !== before) await this.tellSession();
    await this.ctx.states.save(this.state!);
  }

  /**
   * The session's capture stopped by itself: the recording ends (reason error); when a
   * new capture run can go on (the screen was resized), a new recording starts at once,
   * for the same reason as the one that ended.
   */
  private async captureStopped(
    message: Extract<DesktopMessage, { t: 'capture-stopped' }>,
  ): Promise<void> {
    const state = this.state!;
    const recording = state.recording;
    this.ctx.log(`desktop ${state.sessionId}: screen capture stopped: ${message.reason}`);
    if (!recording) return;
    state.recording = null;
    await this.submitJson(
      'recording-stop',
      `/recordings/${recording.id}/stop`,
      { at: this.iso(message.offsetMs), reason: 'error', actor: 'agent:screen-capture' },
      1,
      recording.id,
    );
    // The session process is the user's: it cannot make the daemon cut recordings without end.
    const now = Date.now();
    this.captureRestarts = this.captureRestarts.filter((at) => now - at < 60_000);
    if (message.restartable && this.captureRestarts.length < 3) {
      this.captureRestarts.push(now);
      await this.startRecording(message.offsetMs, recording.reason, undefined, true);
    } else {
      await this.tellSession();
    }
    await this.ctx.states.save(state);
  }

  private async startRecording(
    atMs: number,
    reason: RecordingReason,
    actor: string | undefined,
    tell: boolean,
  ): Promise<void> {
    const state = this.state!;
    const id = randomUUID();
    await this.submitJson(
      'recording-start',
      `/sessions/${state.sessionId}/recordings`,
      {
        recordingId: id,
        kind: 'screen',
        at: this.iso(atMs),
        reason,
        ...(reason === 'policy' || reason === 'event'
          ? { ruleId: state.policy.ruleId, policyVersion: state.policy.policyVersion }
          : {}),
        ...(actor ? { actor } : {}),
      },
      1,
      id,
    );
    state.recording = { id, reason, nextSeq: 0 };
    await this.ctx.states.save(state);
    if (tell) await this.tellSession();
  }

  private async stopRecording(
    atMs: number,
    reason: RecordingReason,
    actor: string | undefined,
    tell: boolean,
  ): Promise<void> {
    const state = this.state!;
    const recording = state.recording;
    if (!recording) return;
    state.recording = null;
    if (tell) await this.tellSession(recording);
    await this.submitJson(
      'recording-stop',
      `/recordings/${recording.id}/stop`,
      { at: this.iso(atMs), reason, ...(actor ? { actor } : {}) },
      1,
      recording.id,
    );
    await this.ctx.states.save(state);
  }

  protected override socketClosed(): void {
    this.stopSampling();
  }

  // ---- the remote-display connection, seen from the kernel --------------------------

  /** A local display (`:10`), not an X-forwarded one (`localhost:10`). */
  private get localDisplay(): boolean {
    return /^(unix)?:\d/.test(this.display);
  }

  private links(): NonNullable<DesktopDaemonContext['displayConnections']> {
    return (
      this.ctx.displayConnections ?? {
        identify: identifyDisplayConnections,
        destroy: destroyConnection,
        tcpInfo: readTcpInfo,
      }
    );
  }

  /** The remote-display connections of the session's display (display-disconnect.ts). */
  private identify(uid: number): Promise<Identified> {
    const n = displayNumber(this.display);
    if (n === undefined) return Promise.resolve({ ok: false, reason: 'no display known' });
    return this.links().identify({
      displayNumber: n,
      uid,
      ports: this.ctx.config.desktop.remotePorts,
    });
  }

  /** Samples the network quality of a local display's connection every `metricSeconds`. */
  private startSampling(): void {
    if (!this.localDisplay || this.metricsTimer || this.closed) return;
    const sample = () => void this.sampleNetwork().catch(() => undefined);
    sample();
    this.metricsTimer = setInterval(sample, this.ctx.config.desktop.metricSeconds * 1000);
  }

  private stopSampling(): void {
    clearInterval(this.metricsTimer);
    this.metricsTimer = undefined;
  }

  private async sampleNetwork(): Promise<void> {
    const state = this.state;
    if (!state || this.ended) return;
    const found = await this.identify(state.uid);
    if (!found.ok) return;
    const info = await (this.links().tcpInfo ?? readTcpInfo)(found.connections[0]!.endpoints);
    if (!info || this.ended) return;
    const at = this.nowMs();
    const sample = { offsetMs: at, ...this.sampler.next(info, at) };
    this.enqueueStep(async () => {
      if (!this.ended) await this.submitMetrics([sample]);
    });
  }

  protected recordingMessage(ref: number): DesktopDaemonMessage {
    return { t: 'recording', recording: this.recordingState(), ref };
  }

  private async segment(message: SegmentMessage): Promise<void> {
    const state = this.state!;
    const recording = state.recording;
    if (!recording || recording.id !== message.recordingId) {
      this.ctx.log(
        `desktop ${state.sessionId}: dropped a segment of recording ${message.recordingId}, which is not current`,
      );
      return;
    }
    await this.storeSegment(recording, message);
  }

  protected async storeSegment(
    recording: NonNullable<SessionState['recording']>,
    message: SegmentMessage,
  ): Promise<void> {
    const state = this.state!;
    const bytes = Buffer.from(message.data, 'base64');
    checkScreenSegment(bytes, message.kind, recording.nextSeq === 0);
    if (!this.ctx.spoolHasRoom(bytes.length)) {
      await this.spoolFull();
      return;
    }
    const sha256 = sha256Hex(bytes);
    const headers: Record<string, string> = {
      'x-segment-sha256': sha256,
      'x-segment-kind': message.kind,
      'x-segment-start-ms': String(message.startMs),
      'x-segment-end-ms': String(Math.max(message.startMs, message.endMs)),
    };
    if (recording.prevSha256) headers['x-segment-prev-sha256'] = recording.prevSha256;
    await this.ctx.submit(
      {
        kind: 'segment',
        lane: state.sessionId,
        recordingId: recording.id,
        method: 'PUT',
        path: `/recordings/${recording.id}/segments/${recording.nextSeq}`,
        headers,
        json: false,
        count: 1,
      },
      bytes,
    );
    recording.nextSeq += 1;
    recording.prevSha256 = sha256;
    await this.ctx.states.save(state);
  }

  private async spoolFull(): Promise<void> {
    const state = this.state!;
    this.ctx.log(`desktop ${state.sessionId}: spool full; recording stopped`);
    const recording = state.recording;
    if (!recording) return;
    state.recording = null;
    this.tellSessionNow();
    await this.submitJson(
      'recording-stop',
      `/recordings/${recording.id}/stop`,
      { at: this.iso(this.nowMs()), reason: 'policy', actor: 'agent:spool-full' },
      1,
      recording.id,
    );
    await this.events([
      {
        type: 'recording.stop',
        offsetMs: this.nowMs(),
        attributes: { reason: 'spool-full', recordingId: recording.id },
      },
    ]);
  }

  private async events(
    events: readonly { type: EventType; offsetMs: number; attributes: Attributes }[],
  ): Promise<void> {
    const state = this.state!;
    // What the detection policy does not ask for is not reported (nor can it fire a trigger).
    const reported = events
      .filter((event) => this.detection.reports(event.type))
      .map((event) => ({ ...event, attributes: this.detection.redact(event.attributes) }));
    if (reported.length === 0) return;
    await this.submitJson(
      'events',
      `/sessions/${state.sessionId}/events`,
      {
        events: reported.map((event) => ({
          eventId: randomUUID(),
          type: event.type,
          at: this.iso(event.offsetMs),
          offsetMs: event.offsetMs,
          ...(state.recording ? { recordingId: state.recording.id } : {}),
          attributes: event.attributes,
        })),
      },
      reported.length,
    );
    const matcher = this.matcher;
    const armed = this.armed;
    if (matcher && armed && !state.recording) {
      const fired = reported.find((event) => matcher.matches(event));
      if (fired) {
        this.matcher = undefined;
        this.armed = undefined;
        // The recording covers the buffered minutes before the event.
        const fromMs = Math.max(armed.atMs, fired.offsetMs - matcher.preEventMs);
        await this.startRecording(fromMs, 'event', `event:${fired.type}`, true);
      }
    }
  }

  protected async finish(reason: string, offsetMs?: number): Promise<void> {
    const state = this.state;
    if (!state || this.ended) return;
    this.ended = true;
    this.stopSampling();
    const at = offsetMs ?? this.nowMs();
    this.onGone(this);
    if (state.recording) await this.stopRecording(at, 'session-end', undefined, false);
    await this.submitJson('session-end', `/sessions/${state.sessionId}/end`, {
      endedAt: this.iso(at),
      reason: reason.slice(0, 64),
    });
    await this.ctx.states.remove(state.sessionId);
    this.ctx.log(`desktop ${state.sessionId}: ended (${reason})`);
    if (!this.closed) this.socket.end();
  }

  // ---- control commands, called by the daemon --------------------------------------

  recordingCommand(
    action: 'start-recording' | 'stop-recording',
    actor?: string,
  ): Promise<CommandOutcome> {
    return new Promise((resolve) => {
      this.enqueueStep(async () => {
        const state = this.state;
        if (!state || this.ended) return resolve({ status: 'failed', detail: 'session has ended' });
        if (action === 'start-recording') {
          if (state.recording) return resolve({ status: 'failed', detail: 'already recording' });
          this.armed = undefined;
          await this.startRecording(this.nowMs(), 'admin', actor, true);
          return resolve({ status: 'acked', detail: 'recording started' });
        }
        if (!state.recording) return resolve({ status: 'failed', detail: 'not recording' });
        await this.stopRecording(this.nowMs(), 'admin', actor, true);
        resolve({ status: 'acked', detail: 'recording stopped' });
      });
    });
  }

  policyChanged(): Promise<void> {
    return new Promise((resolve) => {
      this.enqueueStep(async () => {
        const state = this.state;
        if (!state || this.ended) return resolve();
        await this.refreshDetection();
        this.sendDetection();
        const answer = await this.ctx.policy.evaluate(this.question(this.nowMs()));
        await this.apply(answer.reply, this.nowMs(), true, false);
        await this.ctx.states.save(state);
        resolve();
      });
    });
  }

  /**
   * Lock, unlock, log off, block transfers, notice: the session carries them out. Disconnect
   * of a local display (xrdp, VNC) the daemon does itself (see display-disconnect.ts); of an
   * X-forwarded display (`localhost:10`) the session ends the user's own sshd process.
   */
  override wrapperCommand(
    commandId: string,
    action: CommandAction,
    message?: string,
  ): Promise<CommandOutcome> {
    if (action !== 'disconnect' || !this.localDisplay || this.closed || this.ended)
      return super.wrapperCommand(commandId, action, message);
    return this.disconnect(message);
  }

  /**
   * Drops the remote-display client of the session's display: identified from the kernel's
   * socket tables (the user's own X server and what connected to it), then destroyed in the
   * kernel. Nothing is closed when no connection is identified.
   */
  private async disconnect(message?: string): Promise<CommandOutcome> {
    const state = this.state;
    if (!state) return { status: 'failed', detail: 'session has not begun' };
    const links = this.links();
    const found = await this.identify(state.uid);
    if (!found.ok) {
      this.ctx.log(`desktop ${state.sessionId}: disconnect refused: ${found.reason}`);
      return {
        status: 'failed',
        detail: `remote-display connection not identified: ${found.reason}`,
      };
    }
    // The user is told on the display (bounded: a session that does not answer delays nothing long).
    await Promise.race([
      this.sessionCommand(
        randomUUID(),
        'notice',
        message ?? 'This session is being disconnected by an administrator.',
      ),
      new Promise((resolve) => setTimeout(resolve, 2000)),
    ]);
    const name = ({ endpoints, pids }: (typeof found.connections)[number]) =>
      `${endpoints.clientIp}:${endpoints.clientPort} -> ${endpoints.serverIp}:${endpoints.serverPort} (pid ${pids.join(',')})`;
    const dropped: typeof found.connections = [];
    const failed: string[] = [];
    for (const connection of found.connections) {
      if (await links.destroy(connection.endpoints)) dropped.push(connection);
      else failed.push(name(connection));
    }
    const droppedNames = dropped.map(name).join('; ');
    this.ctx.log(
      `desktop ${state.sessionId}: disconnect: dropped ${droppedNames || 'none'}${failed.length ? `; could not close ${failed.join('; ')}` : ''}`,
    );
    if (dropped.length > 0) {
      this.enqueueStep(() =>
        this.events(
          dropped.map(({ endpoints, pids }) => ({
            type: 'response.executed' as const,
            offsetMs: this.nowMs(),
            attributes: {
              action: 'disconnect',
              client: endpoints.clientIp,
              clientPort: endpoints.clientPort,
              serverPort: endpoints.serverPort,
              ...(pids[0] ? { pid: pids[0] } : {}),
              by: 'agent-daemon',
            },
          })),
        ),
      );
    }
    if (failed.length > 0)
      return { status: 'failed', detail: `could not close ${failed.join('; ')}` };
    return { status: 'acked', detail: `remote-display connection dropped: ${droppedNames}` };
  }
}
