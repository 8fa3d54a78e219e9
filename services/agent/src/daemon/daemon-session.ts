/**
 * The daemon's side of one terminal session: a wrapper connected on the local socket.
 * It starts the session at ingest under the user the kernel says the peer runs as, asks
 * policy whether to record, hands recording ids to the wrapper, chains and spools the
 * segments it sends, stamps its events and samples, forwards control commands to it and
 * reports their verdicts. Messages are handled one at a time, in order.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import {
  encodeCastSegment,
  type EventTriggers,
  type EventType,
  type PolicyEvaluateReply,
  type RecordingReason,
} from '@sessionrec/contracts';
import { classify } from '../detect/classify';
import type { ExecSeen } from '../detect/exec-tracer';
import { parseAsciicast } from '../media/asciicast';
import { sha256Hex } from '../media/hash-chain';
import { TriggerMatcher } from '../policy/event-triggers';
import { PreEventBuffer } from '../policy/pre-event-buffer';
import { type CastSize, castHeaderOf, castSizeAfter, rebaseCast } from '../terminal/cast-rebase';
import { type CommandOutcome, type DaemonContext, LocalSessionChannel } from './local-session';
import type { Peer } from './peer';
import { type SessionState, hashSecret, secretMatches } from './session-state';
import { type DaemonMessage, type WrapperMessage, wrapperMessage } from './wire';

export type { CommandOutcome, DaemonContext, DaemonSubmit } from './local-session';

/** The pre-event buffer of one armed session holds at most this much cast (and its minutes). */
const PRE_EVENT_MAX_BYTES = 16 * 1024 * 1024;

interface BufferedSegment {
  readonly bytes: Buffer;
  readonly startMs: number;
  readonly endMs: number;
  /** The terminal size when the segment began (for a header if it opens the recording). */
  readonly sizeBefore: CastSize | undefined;
}

/** A record-on-event session waiting for its trigger; the wrapper casts into `id`. */
interface Armed {
  readonly id: string;
  readonly ruleId: string;
  readonly policyVersion: number;
  readonly armedAtMs: number;
  readonly buffer: PreEventBuffer<BufferedSegment>;
  castStartMs?: number;
  header?: Record<string, unknown>;
  size?: CastSize;
  lastEndMs: number;
}
/** Execs of a session are sent in batches at most this far apart. */
const EXEC_BATCH_MS = 250;

export class DaemonSession extends LocalSessionChannel<WrapperMessage, DaemonMessage> {
  private matcher: TriggerMatcher | undefined;
  /** Armed for record-on-event: the pre-event buffer, in memory only. */
  private armed: Armed | undefined;
  /** Sessions without a terminal (scp, sftp, ssh host cmd) report events but are not cast. */
  private interactive = true;
  /** The wrapper's pid, from the kernel (the session's root process must be its child). */
  private peerPid = 0;
  private unwatch: (() => void) | undefined;
  private execBatch: Parameters<DaemonSession['events']>[0][number][] = [];
  private execTimer: NodeJS.Timeout | undefined;

  constructor(
    socket: Socket,
    ctx: DaemonContext,
    private readonly onReady: (session: DaemonSession) => void,
    private readonly onGone: (session: DaemonSession) => void,
  ) {
    super(socket, ctx, {
      label: 'session',
      peerName: 'session wrapper',
      incoming: wrapperMessage,
      helloTimeoutMs: 10_000,
      switchTimeoutMs: 10_000,
      commandTimeoutMs: 15_000,
      lostReason: 'wrapper-lost',
    });
  }

  protected override socketClosed(): void {
    if (this.detached) this.stopWatching();
  }

  protected async handle(message: WrapperMessage): Promise<void> {
    switch (message.t) {
      case 'segment':
        return this.segment(message);
      case 'events':
        return this.events(message.events);
      case 'root':
        return this.watchRoot(message.pid);
      case 'end':
        return this.finish(message.reason, message.offsetMs);
    }
  }

  protected async begin(
    message: Extract<WrapperMessage, { t: 'hello' }>,
    peer: Peer,
  ): Promise<void> {
    const { config } = this.ctx;
    if (config.spool.whenFull === 'refuse-sessions' && !this.ctx.spoolHasRoom(1024 * 1024)) {
      this.send({
        t: 'refused',
        message:
          'Session recording cannot store this session (the recording spool is full); logins are refused until it has room.',
      });
      this.socket.end();
      return;
    }
    this.interactive = message.interactive;
    this.peerPid = peer.pid;
    const sessionId = randomUUID();
    const token = randomBytes(32).toString('base64url');
    this.startedAtMs = Date.now();
    const clientAddress = message.sshConnection?.split(/\s+/)[0];
    const validAddress =
      clientAddress && /^[0-9a-fA-F.:]+$/.test(clientAddress) ? clientAddress : undefined;
    this.state = {
      sessionId,
      uid: peer.uid,
      user: peer.user,
      groups: peer.groups,
      startedAt: new Date(this.startedAtMs).toISOString(),
      ...(validAddress ? { clientAddress: validAddress } : {}),
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
      ...(validAddress ? { clientAddress: validAddress } : {}),
      protocol: 'terminal',
      startedAt: this.state.startedAt,
    });
    const answer = await this.ctx.policy.evaluate({
      sessionId,
      user: peer.user,
      groups: peer.groups,
      host: this.ctx.hostname,
      ...(validAddress ? { clientAddress: validAddress } : {}),
      protocol: 'terminal',
      at: this.state.startedAt,
    });
    if (answer.fallbackReason)
      this.ctx.log(`session ${sessionId}: policy: ${answer.fallbackReason}`);
    await this.apply(answer.reply, 0, false);
    await this.ctx.states.save(this.state);
    this.ctx.log(
      `session ${sessionId}: ${peer.user} (uid ${peer.uid}, pid ${peer.pid}) ${message.interactive ? 'interactive' : 'command'}; ${answer.reply.decision} (${answer.reply.ruleId} v${answer.reply.policyVersion})`,
    );
    this.send({
      t: 'welcome',
      sessionId,
      resumeToken: token,
      user: peer.user,
      recording: this.recordingState(),
      ...(answer.reply.notice ? { notice: answer.reply.notice } : {}),
      idleSeconds: config.terminal.idleSeconds,
      segmentSeconds: config.terminal.segmentSeconds,
      metricSeconds: config.terminal.metricSeconds,
      execTracing: this.ctx.execTracer?.active ?? false,
    });
    this.onReady(this);
  }

  protected async resume(
    message: Extract<WrapperMessage, { t: 'resume' }>,
    peer: Peer,
  ): Promise<void> {
    const state = await this.ctx.states.load(message.sessionId);
    if (!state || state.uid !== peer.uid || !secretMatches(message.token, state.resumeHash)) {
      this.send({ t: 'refused', message: 'unknown session' });
      this.socket.end();
      return;
    }
    this.state = state;
    this.startedAtMs = Date.parse(state.startedAt);
    this.peerPid = peer.pid;
    this.ctx.log(`session ${state.sessionId}: wrapper of ${state.user} reconnected`);
    if (state.rootPid) await this.watchRoot(state.rootPid);
    // Armed before the restart: armed again, with an empty buffer (it was in memory only).
    if (state.triggers && !state.recording) this.arm(state.triggers, this.nowMs());
    this.send({ t: 'resumed', recording: this.recordingState() });
    this.onReady(this);
  }

  private recordingState() {
    return {
      recordingId: this.state?.recording?.id ?? this.armed?.id ?? null,
      inputCapture: this.state?.inputCapture ?? false,
    };
  }

  /** Applies a policy decision: start, stop or arm recording. */
  private async apply(
    decision: PolicyEvaluateReply,
    atMs: number,
    tellWrapper: boolean,
  ): Promise<void> {
    const state = this.state!;
    state.policy = { ruleId: decision.ruleId, policyVersion: decision.policyVersion };
    state.inputCapture = decision.capture?.inputCapture ?? false;
    const triggers = decision.decision === 'record-on-event' ? decision.triggers : undefined;
    this.matcher = triggers ? new TriggerMatcher(triggers) : undefined;
    if (decision.decision === 'record') {
      this.armed = undefined;
      if (!state.recording) await this.startRecording(atMs, 'policy', undefined, tellWrapper);
      else if (tellWrapper) await this.tellSession();
      return;
    }
    // A recording an event started goes on while the decision is still record-on-event.
    const eventGoesOn = triggers !== undefined && state.recording?.reason === 'event';
    if (eventGoesOn) this.matcher = undefined;
    else if (state.recording?.reason === 'policy' || state.recording?.reason === 'event') {
      // Only what policy started is stopped by policy; an administrator's recording stays.
      await this.stopRecording(atMs, 'policy', undefined, tellWrapper);
    }
    const armed = this.armed;
    if (triggers && this.interactive && !state.recording) {
      const same =
        armed?.ruleId === decision.ruleId && armed.policyVersion === decision.policyVersion;
      if (same) return; // still armed by the same rule: the buffer stays
      this.arm(triggers, atMs);
    } else {
      this.armed = undefined;
      delete state.triggers;
      if (!armed) return;
    }
    // The wrapper casts into the pre-event buffer (a new one), or stops doing so.
    if (tellWrapper) await this.tellSession();
  }

  /** Arms record-on-event under the session's current rule, with an empty buffer. */
  private arm(triggers: EventTriggers, atMs: number): void {
    const state = this.state!;
    state.triggers = triggers;
    this.matcher = new TriggerMatcher(triggers);
    this.armed = {
      id: randomUUID(),
      ruleId: state.policy.ruleId,
      policyVersion: state.policy.policyVersion,
      armedAtMs: atMs,
      buffer: new PreEventBuffer(triggers.preEventMinutes * 60_000, PRE_EVENT_MAX_BYTES),
      lastEndMs: atMs,
    };
  }

  /**
   * A segment of the armed recording: kept in memory on this host, never uploaded unless
   * a trigger fires; the oldest go when the buffer holds more than its minutes or bytes.
   */
  private bufferSegment(message: Extract<WrapperMessage, { t: 'segment' }>): void {
    const armed = this.armed!;
    const bytes = Buffer.from(message.data, 'base64');
    const text = bytes.toString('utf8');
    checkCastSegment(bytes, armed.castStartMs === undefined);
    if (armed.castStartMs === undefined) {
      armed.castStartMs = message.startMs;
      armed.header = castHeaderOf(text);
    }
    const sizeBefore = armed.size;
    armed.size = castSizeAfter(text, armed.size);
    armed.lastEndMs = Math.max(message.startMs, message.endMs);
    armed.buffer.push({
      startMs: message.startMs,
      endMs: armed.lastEndMs,
      bytes: bytes.length,
      item: { bytes, startMs: message.startMs, endMs: armed.lastEndMs, sizeBefore },
    });
  }

  /**
   * A trigger fired while armed: the recording starts at the oldest moment the buffer
   * holds, its buffered segments are stored first (on the recording's clock, the first
   * with a header), and the wrapper goes on casting into it live.
   */
  private async fire(armed: Armed, type: EventType, firedAtMs: number): Promise<void> {
    const entries = armed.buffer.drain();
    const first = entries[0]?.item;
    const fromMs = first
      ? first.startMs
      : armed.castStartMs !== undefined
        ? armed.lastEndMs
        : armed.armedAtMs;
    const castOffsetMs = armed.castStartMs !== undefined ? fromMs - armed.castStartMs : 0;
    const size = first ? first.sizeBefore : armed.size;
    const castHeader =
      castOffsetMs > 0 && armed.header && size
        ? JSON.stringify({
            ...armed.header,
            width: size.width,
            height: size.height,
            timestamp: Math.floor((this.startedAtMs + fromMs) / 1000),
          })
        : undefined;
    this.ctx.log(
      `session ${this.state!.sessionId}: ${type} fired rule ${armed.ruleId}: recording from ${fromMs} ms (${Math.max(0, firedAtMs - fromMs)} ms before the event, ${entries.length} buffered segment(s))`,
    );
    await this.startRecording(fromMs, 'event', `event:${type}`, false, {
      id: armed.id,
      ...(castOffsetMs > 0 ? { castOffsetMs } : {}),
      ...(castHeader ? { castHeader } : {}),
    });
    const recording = this.state!.recording!;
    for (const { item } of entries) {
      if (this.state!.recording?.id !== recording.id) break; // the spool filled up meanwhile
      await this.storeSegment(recording, {
        t: 'segment',
        recordingId: recording.id,
        startMs: item.startMs,
        endMs: item.endMs,
        data: item.bytes.toString('base64'),
      });
    }
  }

  private async startRecording(
    atMs: number,
    reason: RecordingReason,
    actor: string | undefined,
    tellWrapper: boolean,
    /** The armed recording a trigger turns into a real one (the wrapper casts into it already). */
    armed?: { id: string; castOffsetMs?: number; castHeader?: string },
  ): Promise<void> {
    const state = this.state!;
    if (!this.interactive) return;
    // Whatever was armed is superseded: the buffer is not uploaded (unless this is its trigger).
    this.armed = undefined;
    const id = armed?.id ?? randomUUID();
    await this.submitJson(
      'recording-start',
      `/sessions/${state.sessionId}/recordings`,
      {
        recordingId: id,
        kind: 'terminal',
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
    state.recording = {
      id,
      reason,
      nextSeq: 0,
      ...(armed?.castOffsetMs ? { castOffsetMs: armed.castOffsetMs } : {}),
      ...(armed?.castHeader ? { castHeader: armed.castHeader } : {}),
    };
    await this.ctx.states.save(state);
    if (tellWrapper) await this.tellSession();
  }

  private async stopRecording(
    atMs: number,
    reason: RecordingReason,
    actor: string | undefined,
    tellWrapper: boolean,
  ): Promise<void> {
    const state = this.state!;
    const recording = state.recording;
    if (!recording) return;
    // The wrapper first sends what it holds of this recording, then stops.
    state.recording = null;
    if (tellWrapper) await this.tellSession(recording);
    await this.submitJson(
      'recording-stop',
      `/recordings/${recording.id}/stop`,
      { at: this.iso(atMs), reason, ...(actor ? { actor } : {}) },
      1,
      recording.id,
    );
    await this.ctx.states.save(state);
  }

  protected recordingMessage(ref: number): DaemonMessage {
    return { t: 'recording', recording: this.recordingState(), ref };
  }

  private async segment(message: Extract<WrapperMessage, { t: 'segment' }>): Promise<void> {
    const state = this.state!;
    const recording = state.recording;
    if (!recording && this.armed?.id === message.recordingId) {
      this.bufferSegment(message);
      return;
    }
    if (!recording || recording.id !== message.recordingId) {
      this.ctx.log(
        `session ${state.sessionId}: dropped a segment of recording ${message.recordingId}, which is not current`,
      );
      return;
    }
    await this.storeSegment(recording, message);
  }

  protected async storeSegment(
    recording: NonNullable<SessionState['recording']>,
    message: Extract<WrapperMessage, { t: 'segment' }>,
  ): Promise<void> {
    const state = this.state!;
    let bytes: Buffer = Buffer.from(message.data, 'base64');
    // A recording that began inside the pre-event buffer: on its own clock, with a header.
    const header = recording.nextSeq === 0 ? recording.castHeader : undefined;
    if (recording.castOffsetMs || header) {
      checkCastSegment(bytes, false);
      bytes = Buffer.from(
        rebaseCast(bytes.toString('utf8'), recording.castOffsetMs ?? 0, header),
        'utf8',
      );
    }
    checkCastSegment(bytes, recording.nextSeq === 0);
    // Stored gzip-compressed (about a quarter of the size for typing); readers decompress.
    bytes = encodeCastSegment(bytes);
    if (!this.ctx.spoolHasRoom(bytes.length)) {
      await this.spoolFull();
      return;
    }
    const sha256 = sha256Hex(bytes);
    const headers: Record<string, string> = {
      'x-segment-sha256': sha256,
      'x-segment-kind': 'cast',
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
    delete recording.castHeader;
    await this.ctx.states.save(state);
  }

  private async spoolFull(): Promise<void> {
    const state = this.state!;
    this.ctx.log(
      `session ${state.sessionId}: spool full; recording stopped (${this.ctx.config.spool.whenFull})`,
    );
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
    events: readonly {
      type: EventType;
      offsetMs: number;
      attributes: Record<string, string | number | boolean | null>;
    }[],
  ): Promise<void> {
    const state = this.state!;
    await this.submitJson(
      'events',
      `/sessions/${state.sessionId}/events`,
      {
        events: events.map((event) => ({
          eventId: randomUUID(),
          type: event.type,
          at: this.iso(event.offsetMs),
          offsetMs: event.offsetMs,
          ...(state.recording ? { recordingId: state.recording.id } : {}),
          attributes: event.attributes,
        })),
      },
      events.length,
    );
    const matcher = this.matcher;
    if (matcher && !state.recording) {
      const fired = events.find((event) => matcher.matches(event));
      if (fired) {
        this.matcher = undefined;
        const armed = this.armed;
        if (armed) await this.fire(armed, fired.type, fired.offsetMs);
        else await this.startRecording(fired.offsetMs, 'event', `event:${fired.type}`, true);
      }
    }
  }

  /**
   * The wrapper named its shell (or command): from now on the daemon reports the execs
   * below it, seen by the kernel. Only a child of the wrapper itself is accepted, so a
   * user cannot have someone else's processes reported as their session's.
   */
  private async watchRoot(pid: number): Promise<void> {
    const tracer = this.ctx.execTracer;
    const state = this.state!;
    if (!tracer?.active || this.unwatch) return;
    const parent = tracer.parentOf(pid);
    if (parent !== this.peerPid) {
      this.ctx.log(
        `session ${state.sessionId}: root process ${pid} is not the wrapper's child (parent ${parent ?? 'unknown'}); commands come from the wrapper's polling`,
      );
      return;
    }
    this.unwatch = tracer.watch(pid, this.interactive, (exec) => this.execSeen(exec));
    this.ctx.log(
      `session ${state.sessionId}: commands from the kernel's exec events below pid ${pid}`,
    );
    if (state.rootPid !== pid) {
      state.rootPid = pid;
      await this.ctx.states.save(state);
    }
  }

  private execSeen(exec: ExecSeen): void {
    if (this.ended) return;
    const offsetMs = Math.max(0, exec.at - this.startedAtMs);
    for (const detected of classify(exec.argv, exec))
      this.execBatch.push({ type: detected.type, offsetMs, attributes: detected.attributes });
    if (this.execBatch.length >= 400) this.sendExecs();
    else this.execTimer ??= setTimeout(() => this.sendExecs(), EXEC_BATCH_MS);
  }

  private sendExecs(): void {
    clearTimeout(this.execTimer);
    this.execTimer = undefined;
    const batch = this.execBatch.splice(0);
    if (batch.length > 0) this.enqueueStep(() => this.events(batch));
  }

  private stopWatching(): void {
    this.unwatch?.();
    this.unwatch = undefined;
    clearTimeout(this.execTimer);
    this.execTimer = undefined;
  }

  protected async finish(reason: string, offsetMs?: number): Promise<void> {
    const state = this.state;
    if (!state || this.ended) return;
    // The last execs the kernel reported belong before the end.
    const execs = this.execBatch.splice(0);
    this.stopWatching();
    if (execs.length > 0) await this.events(execs);
    this.ended = true;
    const at = offsetMs ?? this.nowMs();
    this.onGone(this);
    if (state.recording) await this.stopRecording(at, 'session-end', undefined, false);
    await this.submitJson('session-end', `/sessions/${state.sessionId}/end`, {
      endedAt: this.iso(at),
      reason: reason.slice(0, 64),
    });
    await this.ctx.states.remove(state.sessionId);
    this.ctx.log(`session ${state.sessionId}: ended (${reason})`);
    if (!this.closed) this.socket.end();
  }

  // ---- control commands, called by the daemon --------------------------------------

  /** start-recording / stop-recording from an administrator, applied without interrupting. */
  recordingCommand(
    action: 'start-recording' | 'stop-recording',
    actor?: string,
  ): Promise<CommandOutcome> {
    return new Promise((resolve) => {
      this.enqueueStep(async () => {
        const state = this.state;
        if (!state || this.ended) return resolve({ status: 'failed', detail: 'session has ended' });
        if (action === 'start-recording') {
          if (!this.interactive)
            return resolve({
              status: 'failed',
              detail: 'not a terminal session (command or transfer)',
            });
          if (state.recording) return resolve({ status: 'failed', detail: 'already recording' });
          await this.startRecording(this.nowMs(), 'admin', actor, true);
          return resolve({ status: 'acked', detail: 'recording started' });
        }
        if (!state.recording) return resolve({ status: 'failed', detail: 'not recording' });
        await this.stopRecording(this.nowMs(), 'admin', actor, true);
        resolve({ status: 'acked', detail: 'recording stopped' });
      });
    });
  }

  /** A policy changed: ask again and start or stop recording as the answer says. */
  policyChanged(): Promise<void> {
    return new Promise((resolve) => {
      this.enqueueStep(async () => {
        const state = this.state;
        if (!state || this.ended) return resolve();
        const answer = await this.ctx.policy.evaluate({
          sessionId: state.sessionId,
          user: state.user,
          groups: state.groups,
          host: this.ctx.hostname,
          ...(state.clientAddress ? { clientAddress: state.clientAddress } : {}),
          protocol: 'terminal',
          at: this.iso(this.nowMs()),
        });
        await this.apply(answer.reply, this.nowMs(), true);
        await this.ctx.states.save(state);
        resolve();
      });
    });
  }
}

/** A segment must be asciicast v2 lines (the first with the header): the daemon checks before spooling. */
export function checkCastSegment(bytes: Buffer, first: boolean): void {
  const text = bytes.toString('utf8');
  if (first) {
    parseAsciicast(text);
    return;
  }
  parseAsciicast(
    `${JSON.stringify({ version: 2, width: 1, height: 1, timestamp: 0, env: {} })}\n${text}`,
  );
}
