/**
 * One simulated user session: starts the session, asks policy whether to record it (or
 * records always, when told to ignore policy), then on the simulated clock produces
 * segments (CMAF video or asciicast), event batches and network samples, obeys
 * start/stop-recording commands and policy changes, and ends cleanly. Under a
 * record-on-event decision it keeps a rolling pre-event buffer and, when an event fires
 * a trigger, starts recording from the oldest buffered moment. Every request goes
 * through `submit`, i.e. the spool, never straight to ingest.
 */
import { randomUUID } from 'node:crypto';
import type {
  agentProtocol,
  EventType,
  PolicyDetectionEvaluateReply,
  PolicyEvaluateReply,
  RecordingReason,
} from '@sessionrec/contracts';
import {
  type ShellTimeline,
  type TimelineEvent,
  castSegment,
  generateShellSession,
} from '../media/asciicast';
import type { DesktopFixtures } from '../media/desktop-fixtures';
import { HashChain } from '../media/hash-chain';
import { DetectionFilter } from '../policy/detection-filter';
import { TriggerMatcher } from '../policy/event-triggers';
import type { PolicyAnswer, PolicyQuestion } from '../policy/policy-client';
import { PreEventBuffer } from '../policy/pre-event-buffer';
import type { Random } from '../random';
import type { SpoolMeta } from '../spool/spool-item';
import { DESKTOP_HOSTS, TERMINAL_HOSTS, USERS, clientAddress } from './catalogue';
import type { SimClock } from './clock';
import { DesktopActivity } from './desktop-activity';
import { NetworkModel } from './network';

export type Submit = (
  meta: Omit<SpoolMeta, 'createdAt' | 'headers'> & { headers?: Record<string, string> },
  body: Uint8Array,
) => Promise<void>;

export interface SessionSettings {
  readonly protocol: agentProtocol.SessionStartRequest['protocol'];
  readonly durationMs: number;
  readonly segmentMs: number;
  readonly eventIntervalMs: number;
  readonly fixtures: DesktopFixtures;
  readonly random: Random;
  readonly clock: SimClock;
  readonly submit: Submit;
  /** Asks policy; absent when the simulation records every session regardless. */
  readonly decide?: (question: PolicyQuestion) => Promise<PolicyAnswer>;
  /** Asks which events to report (undefined answer: keep what is known). */
  readonly detect?: (
    question: agentProtocol.DetectionRequest,
  ) => Promise<PolicyDetectionEvaluateReply | undefined>;
  /** Session time at which the session emits an event that fires its policy's trigger. */
  readonly triggerAtMs?: number;
  /** Byte bound of the pre-event buffer (the time bound comes from policy). */
  readonly preEventMaxBytes?: number;
  readonly log?: (line: string) => void;
}

/** What policy said for this session, as the simulator applies it. */
interface Armed {
  readonly decision: PolicyEvaluateReply;
  readonly matcher: TriggerMatcher;
  /** Session-time windows captured but not uploaded: the simulator's rolling buffer. */
  readonly buffer: PreEventBuffer<null>;
  /** Session time up to which the buffer has been filled. */
  filledToMs: number;
}

/** The decision a simulation that ignores policy applies to every session. */
const ALWAYS_RECORD: PolicyEvaluateReply = {
  v: 1,
  decision: 'record',
  ruleId: 'simulator-always',
  policyVersion: 0,
};

interface Recording {
  readonly id: string;
  readonly reason: RecordingReason;
  readonly startedAtMs: number;
  readonly chain: HashChain;
  /** Session time the next segment starts at. */
  nextSegmentMs: number;
  mediaIndex: number;
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

export class SimulatedSession {
  readonly id = randomUUID();
  readonly user;
  readonly host: string;
  private startSim = 0;
  private recording: Recording | undefined;
  private readonly shell: ShellTimeline | undefined;
  private readonly desktop: DesktopActivity | undefined;
  private readonly network: NetworkModel;
  private shellEventIndex = 0;
  private ended = false;
  private decision: PolicyEvaluateReply = ALWAYS_RECORD;
  private armed: Armed | undefined;
  private triggerSent = false;
  /** The focused application policy last judged (a change is asked about again). */
  private focusedApp: string | undefined;
  private detection = new DetectionFilter();
  private clientAddress = '';
  /** Serialises the session's own steps with commands arriving from the control channel. */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly settings: SessionSettings) {
    const { random } = settings;
    this.user = random.pick(USERS);
    this.host = random.pick(settings.protocol === 'desktop' ? DESKTOP_HOSTS : TERMINAL_HOSTS);
    this.network = new NetworkModel(random);
    if (settings.protocol === 'terminal') {
      this.shell = generateShellSession({
        user: this.user.name,
        host: this.host,
        durationMs: settings.durationMs,
        startedAt: new Date(settings.clock.now()),
        random,
      });
    } else {
      this.desktop = new DesktopActivity(random);
    }
  }

  get isEnded(): boolean {
    return this.ended;
  }

  get recordingId(): string | undefined {
    return this.recording?.id;
  }

  /** Runs the whole session; resolves after the session end has been spooled. */
  async run(signal: AbortSignal): Promise<void> {
    const { settings } = this;
    const { random } = settings;
    this.startSim = Math.floor(settings.clock.now());
    this.clientAddress = clientAddress(random);
    await this.serial(() =>
      settings.submit(
        {
          kind: 'session-start',
          lane: this.id,
          method: 'POST',
          path: '/sessions',
          json: true,
          count: 1,
        },
        json({
          sessionId: this.id,
          user: this.user.name,
          groups: [...this.user.groups],
          host: this.host,
          clientAddress: this.clientAddress,
          protocol: settings.protocol,
          startedAt: this.iso(0),
        }),
      ),
    );
    await this.serial(async () => {
      await this.refreshDetection();
      await this.applyPolicy(0);
    });
    let nextEvent = settings.eventIntervalMs;
    let nextSegment = settings.segmentMs;
    let aborted = false;
    for (;;) {
      const due = Math.min(nextEvent, nextSegment, settings.durationMs);
      if (!(await settings.clock.until(this.startSim + due, signal))) {
        aborted = true;
        break;
      }
      if (due >= settings.durationMs) break;
      if (due === nextSegment) {
        await this.serial(() => this.segmentTick(due));
        nextSegment += settings.segmentMs;
      }
      if (due === nextEvent) {
        await this.serial(() => this.eventTick(due));
        nextEvent += settings.eventIntervalMs;
      }
    }
    const endMs = aborted
      ? Math.max(0, Math.floor(settings.clock.now() - this.startSim))
      : settings.durationMs;
    await this.serial(async () => {
      await this.flushSegments(endMs, true);
      await this.eventTick(endMs, true);
      await this.stopRecording(endMs, 'session-end');
      this.ended = true;
      await settings.submit(
        {
          kind: 'session-end',
          lane: this.id,
          method: 'POST',
          path: `/sessions/${this.id}/end`,
          json: true,
          count: 1,
        },
        json({ endedAt: this.iso(endMs), reason: aborted ? 'agent-stopped' : 'logoff' }),
      );
    });
  }

  /** start-recording from the control channel: null when done, else why it cannot apply. */
  async commandStart(actor: string | undefined): Promise<string | null> {
    let result: string | null = null;
    await this.serial(async () => {
      if (this.ended) result = 'session has ended';
      else if (this.recording) result = 'already recording';
      else await this.startRecording(this.nowMs(), 'admin', actor);
    });
    return result;
  }

  /** stop-recording from the control channel: null when done, else why it cannot apply. */
  async commandStop(actor: string | undefined): Promise<string | null> {
    let result: string | null = null;
    await this.serial(async () => {
      if (this.ended) result = 'session has ended';
      else if (!this.recording) result = 'not recording';
      else {
        const at = this.nowMs();
        await this.flushSegments(at, true);
        await this.stopRecording(at, 'admin', actor);
      }
    });
    return result;
  }

  /** A policy changed: ask again and start, stop or arm recording as the answer says. */
  async policyChanged(): Promise<void> {
    await this.serial(async () => {
      if (this.ended) return;
      await this.refreshDetection();
      await this.applyPolicy(this.nowMs());
    });
  }

  /** Learns which events to report; keeps what it knew when policy cannot be asked. */
  private async refreshDetection(): Promise<void> {
    const settings = await this.settings.detect?.({
      user: this.user.name,
      groups: [...this.user.groups],
      host: this.host,
    });
    if (settings) this.detection = new DetectionFilter(settings);
  }

  /** Why this session is (not) recorded: the last decision applied. */
  get policyDecision(): PolicyEvaluateReply {
    return this.decision;
  }

  /**
   * Asks policy and applies the answer. On a focus change (`escalateOnly`) an answer can
   * start or arm recording but never stops it: switching away from an application a rule
   * names does not end a recording that application started (that would flap with every
   * window switch); a policy change or the session's end does.
   */
  private async applyPolicy(atMs: number, escalateOnly = false): Promise<void> {
    const { decide } = this.settings;
    if (!decide) {
      if (!this.recording) await this.startRecording(atMs, 'policy');
      return;
    }
    const answer = await decide({
      sessionId: this.id,
      user: this.user.name,
      groups: [...this.user.groups],
      host: this.host,
      clientAddress: this.clientAddress,
      protocol: this.settings.protocol,
      ...(this.focusedApp !== undefined ? { application: this.focusedApp } : {}),
      at: this.iso(atMs),
    });
    const previous = this.decision;
    const decision = answer.reply;
    if (escalateOnly && (this.recording || decision.decision === 'do-not-record')) return;
    if (escalateOnly && decision.decision === 'record-on-event' && this.armed) return;
    this.decision = decision;
    if (answer.fallbackReason) this.log(`policy: ${answer.fallbackReason}; ${decision.decision}`);
    if (decision.notice && !previous.notice)
      this.log(`notice to ${this.user.name}: ${decision.notice}`);
    if (decision.decision === 'record') {
      this.armed = undefined;
      if (!this.recording) await this.startRecording(atMs, 'policy');
      return;
    }
    // Only what policy started is stopped by policy; an administrator's recording stays.
    if (this.recording?.reason === 'policy' || this.recording?.reason === 'event') {
      await this.flushSegments(atMs, true);
      await this.stopRecording(atMs, 'policy');
    }
    const sameRule =
      this.armed?.decision.ruleId === decision.ruleId &&
      this.armed.decision.policyVersion === decision.policyVersion;
    if (sameRule) return; // still armed by the same rule: keep the buffer
    if (decision.decision === 'record-on-event' && decision.triggers && !this.recording) {
      const matcher = new TriggerMatcher(decision.triggers);
      this.armed = {
        decision,
        matcher,
        buffer: new PreEventBuffer(matcher.preEventMs, this.settings.preEventMaxBytes ?? 64 << 20),
        filledToMs: atMs,
      };
    } else {
      this.armed = undefined;
    }
  }

  /** Captures into the pre-event buffer up to `untilMs` (whole segment windows only). */
  private fillBuffer(untilMs: number): void {
    const armed = this.armed;
    if (!armed) return;
    const { segmentMs } = this.settings;
    while (armed.filledToMs + segmentMs <= untilMs) {
      const startMs = armed.filledToMs;
      armed.filledToMs += segmentMs;
      armed.buffer.push({
        startMs,
        endMs: armed.filledToMs,
        bytes: this.segmentBytes(),
        item: null,
      });
    }
  }

  /** Rough size of one segment, for the buffer's byte bound. */
  private segmentBytes(): number {
    return this.shell ? 4096 : this.settings.fixtures.segment(0).bytes.length;
  }

  /**
   * A trigger fired at `atMs`: recording starts at the oldest buffered moment, so the
   * minutes before the event are uploaded first, then it goes on live.
   */
  private async fireTrigger(atMs: number, type: EventType): Promise<void> {
    const armed = this.armed;
    if (!armed || this.recording) return;
    this.fillBuffer(atMs);
    const fromMs = armed.buffer.oldestMs ?? atMs;
    armed.buffer.drain();
    this.armed = undefined;
    this.log(
      `${type} fired rule ${armed.decision.ruleId}: recording from ${(fromMs / 1000).toFixed(0)} s (${((atMs - fromMs) / 1000).toFixed(0)} s before the event)`,
    );
    await this.startRecording(fromMs, 'event', undefined, { eventType: type, firedAtMs: atMs });
    await this.flushSegments(atMs, false);
  }

  private log(line: string): void {
    this.settings.log?.(`session ${this.id}: ${line}`);
  }

  private nowMs(): number {
    return Math.max(
      0,
      Math.min(this.settings.durationMs, Math.floor(this.settings.clock.now() - this.startSim)),
    );
  }

  private serial(step: () => Promise<void>): Promise<void> {
    const next = this.chain.then(step);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private iso(offsetMs: number): string {
    return new Date(this.startSim + offsetMs).toISOString();
  }

  private async startRecording(
    atMs: number,
    reason: RecordingReason,
    actor?: string,
    trigger?: { eventType: EventType; firedAtMs: number },
  ): Promise<void> {
    const recording: Recording = {
      id: randomUUID(),
      reason,
      startedAtMs: atMs,
      chain: new HashChain(0),
      nextSegmentMs: atMs,
      mediaIndex: 0,
    };
    this.recording = recording;
    const kind = this.settings.protocol === 'desktop' ? 'screen' : 'terminal';
    await this.settings.submit(
      {
        kind: 'recording-start',
        lane: this.id,
        recordingId: recording.id,
        method: 'POST',
        path: `/sessions/${this.id}/recordings`,
        json: true,
        count: 1,
      },
      json({
        recordingId: recording.id,
        kind,
        at: this.iso(atMs),
        reason,
        ...(reason === 'policy' || reason === 'event'
          ? { ruleId: this.decision.ruleId, policyVersion: this.decision.policyVersion }
          : {}),
        ...(actor ? { actor } : {}),
        ...(trigger ? { actor: `event:${trigger.eventType}` } : {}),
      }),
    );
    if (kind === 'screen') {
      await this.submitSegment(recording, this.settings.fixtures.init, 'init', atMs, atMs);
    }
  }

  private async stopRecording(
    atMs: number,
    reason: RecordingReason,
    actor?: string,
  ): Promise<void> {
    const recording = this.recording;
    if (!recording) return;
    this.recording = undefined;
    await this.settings.submit(
      {
        kind: 'recording-stop',
        lane: this.id,
        recordingId: recording.id,
        method: 'POST',
        path: `/recordings/${recording.id}/stop`,
        json: true,
        count: 1,
      },
      json({ at: this.iso(atMs), reason, ...(actor ? { actor } : {}) }),
    );
  }

  private async segmentTick(atMs: number): Promise<void> {
    this.fillBuffer(atMs);
    await this.flushSegments(atMs, false);
    const samples = [0, 1, 2].map((i) => {
      const offsetMs = Math.max(0, atMs - Math.round((this.settings.segmentMs * (2 - i)) / 3));
      return { sampleId: randomUUID(), at: this.iso(offsetMs), offsetMs, ...this.network.sample() };
    });
    await this.settings.submit(
      {
        kind: 'metrics',
        lane: this.id,
        method: 'POST',
        path: `/sessions/${this.id}/metrics`,
        json: true,
        count: samples.length,
      },
      json({ samples }),
    );
  }

  /** Sends the segments of the current recording that end by `untilMs`. */
  private async flushSegments(untilMs: number, final: boolean): Promise<void> {
    const recording = this.recording;
    if (!recording) return;
    const { segmentMs } = this.settings;
    while (recording.nextSegmentMs < untilMs) {
      const startMs = recording.nextSegmentMs;
      const endMs = Math.min(startMs + segmentMs, untilMs);
      // A desktop fragment is a fixed length: the last, short window only gets one if it is at least half full.
      if (
        endMs - startMs < segmentMs &&
        (!final || (this.shell === undefined && endMs - startMs < segmentMs / 2))
      )
        break;
      recording.nextSegmentMs = endMs;
      if (this.shell) {
        const segment = castSegment(this.shell, {
          startMs,
          endMs,
          first: recording.chain.length === 0,
          originMs: recording.startedAtMs,
        });
        // Cast times inside the segment are the recording's; the headers are the session's.
        if (segment) await this.submitSegment(recording, segment.bytes, 'cast', startMs, endMs);
      } else {
        const media = this.settings.fixtures.segment(recording.mediaIndex);
        recording.mediaIndex += 1;
        await this.submitSegment(recording, media.bytes, 'media', startMs, endMs);
      }
    }
  }

  private async submitSegment(
    recording: Recording,
    bytes: Buffer,
    kind: 'init' | 'media' | 'cast',
    startMs: number,
    endMs: number,
  ): Promise<void> {
    const link = recording.chain.append(bytes);
    const headers: Record<string, string> = {
      'x-segment-sha256': link.sha256,
      'x-segment-kind': kind,
      'x-segment-start-ms': String(startMs),
      'x-segment-end-ms': String(endMs),
    };
    if (link.prevSha256) headers['x-segment-prev-sha256'] = link.prevSha256;
    await this.settings.submit(
      {
        kind: 'segment',
        lane: this.id,
        recordingId: recording.id,
        method: 'PUT',
        path: `/recordings/${recording.id}/segments/${link.seq}`,
        headers,
        json: false,
        count: 1,
      },
      bytes,
    );
  }

  private async eventTick(atMs: number, final = false): Promise<void> {
    const happened: TimelineEvent[] = [];
    if (this.shell) {
      const events = this.shell.events;
      while (this.shellEventIndex < events.length && events[this.shellEventIndex]!.atMs <= atMs) {
        happened.push(events[this.shellEventIndex]!);
        this.shellEventIndex += 1;
      }
      if (happened.length === 0 && !final) {
        happened.push({
          atMs,
          type: 'app.focus',
          attributes: { app: 'bash', windowTitle: `${this.user.name}@${this.host}` },
        });
      }
    } else if (this.desktop && !final) {
      happened.push(...this.desktop.step(atMs));
    }
    const { triggerAtMs } = this.settings;
    if (triggerAtMs !== undefined && !this.triggerSent && atMs >= triggerAtMs && !final) {
      this.triggerSent = true;
      happened.push(this.triggerEvent(triggerAtMs));
    }
    // What the detection policy does not ask for is not detected at all (nor a trigger).
    const detected = happened
      .filter((event) => this.detection.reports(event.type))
      .map((event) => ({ ...event, attributes: this.detection.redact(event.attributes) }));
    happened.length = 0;
    happened.push(...detected);
    if (this.armed) {
      const fired = happened.find((event) => this.armed?.matcher.matches(event));
      if (fired) await this.fireTrigger(fired.atMs, fired.type);
    }
    // A different focused application is a new policy question (rules may match apps).
    const focus = happened.findLast((event) => event.type === 'app.focus' && this.desktop);
    const app = typeof focus?.attributes.app === 'string' ? focus.attributes.app : undefined;
    if (app !== undefined && app !== this.focusedApp) {
      this.focusedApp = app;
      if (this.settings.decide) await this.applyPolicy(focus!.atMs, true);
    }
    if (happened.length === 0) return;
    const events = happened.map((event) =>
      this.toAgentEvent(event.type, event.atMs, event.attributes),
    );
    await this.settings.submit(
      {
        kind: 'events',
        lane: this.id,
        method: 'POST',
        path: `/sessions/${this.id}/events`,
        json: true,
        count: events.length,
      },
      json({ events }),
    );
  }

  /**
   * The event `--trigger-at` makes happen: the first trigger of the policy in force (its
   * attribute globs filled in), or a USB insertion when nothing is armed.
   */
  private triggerEvent(atMs: number): TimelineEvent {
    const trigger = this.armed?.matcher.settings.events[0];
    const attributes: Record<string, string> = {};
    for (const [name, glob] of Object.entries(trigger?.attributes ?? {})) {
      attributes[name] = glob.replaceAll('*', '').replaceAll('?', 'x') || 'x';
    }
    if (!trigger) Object.assign(attributes, { device: 'SanDisk Ultra', mountPoint: '/media/usb0' });
    return { atMs, type: trigger?.eventType ?? 'usb.insert', attributes };
  }

  private toAgentEvent(type: EventType, atMs: number, attributes: TimelineEvent['attributes']) {
    return {
      eventId: randomUUID(),
      type,
      at: this.iso(atMs),
      offsetMs: Math.round(atMs),
      ...(this.recording ? { recordingId: this.recording.id } : {}),
      attributes,
    };
  }
}
