/**
 * One simulated user session: starts the session and its recording, then on the
 * simulated clock produces segments (CMAF video or asciicast), event batches and
 * network samples, obeys start/stop-recording commands, and ends cleanly. Every
 * request goes through `submit`, i.e. the spool, never straight to ingest.
 */
import { randomUUID } from 'node:crypto';
import type { agentProtocol, EventType, RecordingReason } from '@sessionrec/contracts';
import {
  type ShellTimeline,
  type TimelineEvent,
  castSegment,
  generateShellSession,
} from '../media/asciicast';
import type { DesktopFixtures } from '../media/desktop-fixtures';
import { HashChain } from '../media/hash-chain';
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
}

interface Recording {
  readonly id: string;
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
          clientAddress: clientAddress(random),
          protocol: settings.protocol,
          startedAt: this.iso(0),
        }),
      ),
    );
    await this.serial(() => this.startRecording(0, 'policy'));
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
  ): Promise<void> {
    const recording: Recording = {
      id: randomUUID(),
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
        ...(reason === 'policy' ? { ruleId: 'simulated-record-all', policyVersion: 1 } : {}),
        ...(actor ? { actor } : {}),
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
