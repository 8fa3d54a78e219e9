/**
 * One desktop session, run inside the user's X session: records the screen as the daemon
 * says (ScreenRecorder), reports what happens on the display (applications started and
 * stopped, focus and title changes, idle, clipboard copies, USB disks, files written to
 * removable or network storage), masks the windows of excluded applications, samples the
 * remote-display connection's network quality, tells the daemon of focus changes (policy
 * may then record, arm or mask) and carries out the administrator's commands on the
 * display: lock (a locker only the agent ends), unlock, notice, block transfers,
 * disconnect, log off.
 */
import { execFile } from 'node:child_process';
import { compileGlobs, type EventType, type GlobList } from '@sessionrec/contracts';
import type { AgentConfig } from '../daemon/config';
import type { DesktopDaemonMessage, DesktopRecordingState } from '../daemon/desktop-wire';
import { QualitySampler, readTcpInfo } from '../detect/tcp-info';
import type { DesktopLink } from './desktop-link';
import { connectionOwner, findDisplayConnection } from './display-connection';
import { showNotice } from './notice';
import { type AppProcess, describeProcess } from './proc-info';
import { type CaptureFactory, type MaskRect, ScreenRecorder } from './screen-recorder';
import { ScreenLock } from './screen-lock';
import { StorageWatcher } from './storage-watcher';
import { UsbWatcher } from './usb-watcher';
import { type TrackedWindow, WindowTracker } from './x11/window-tracker';
import type { XConnection } from './x11/x-connection';
import { clipRect, displayNumber } from './x11/x11-text';

type Attributes = Record<string, string | number | boolean | null>;

export interface DesktopSessionOptions {
  readonly link: DesktopLink;
  readonly display: string;
  /** The agent's own X connection (opened first: its screen size went into the hello). */
  readonly x: XConnection;
  readonly config: AgentConfig;
  readonly env: NodeJS.ProcessEnv;
  /** Private directory for the locker script (and the capture's work files). */
  readonly workDir: string;
  /** Makes the screen capture for a recording's settings; `nowMs` is the session clock. */
  readonly capture: (nowMs: () => number) => CaptureFactory;
  readonly log: (line: string) => void;
  /** Ends the session from outside (SIGTERM, the X session ending). */
  readonly signal?: AbortSignal;
  /** How often masked windows are looked up again for moves and resizes. */
  readonly maskPollMs?: number;
}

interface RunningApp extends AppProcess {
  readonly windows: Set<number>;
}

const LOCK_TEXT = 'This session has been locked by an administrator.';

export async function runDesktopSession(options: DesktopSessionOptions): Promise<string> {
  const session = new DesktopSession(options);
  return session.run();
}

class DesktopSession {
  private readonly startedAt = Date.now();
  private readonly link: DesktopLink;
  private readonly pending: { type: EventType; offsetMs: number; attributes: Attributes }[] = [];
  private readonly apps = new Map<number, RunningApp>();
  private readonly windowApps = new Map<number, RunningApp | undefined>();
  /** Windows being looked up (process, command line): focus waits for them. */
  private readonly opening = new Map<number, Promise<void>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly recorder: ScreenRecorder;
  private readonly lock: ScreenLock;
  private readonly tracker: WindowTracker;
  private readonly storage: StorageWatcher;
  private readonly usb: UsbWatcher;
  private readonly sampler = new QualitySampler();
  private readonly x: XConnection;
  private excluded: GlobList = compileGlobs([]);
  private excludedCount = 0;
  /** New windows not looked up yet: the screen stays masked whole until they are. */
  private unknownWindows = 0;
  private masksKey = '';
  private idle = false;
  /** The idle threshold in force (the detection policy's; it may change while the session runs). */
  private idleSeconds: number;
  /** The threshold the current idle spell was started under: it ends at input, not at a new threshold. */
  private idleSinceThresholdMs = 0;
  private ending: string | undefined;
  private endRequested: () => void = () => undefined;
  private readonly endPromise = new Promise<void>((resolve) => (this.endRequested = resolve));
  private recordingChain: Promise<void> = Promise.resolve();

  constructor(private readonly options: DesktopSessionOptions) {
    this.link = options.link;
    this.x = options.x;
    this.idleSeconds = options.link.welcome.idleSeconds;
    const nowMs = () => this.nowMs();
    this.recorder = new ScreenRecorder(
      options.capture(nowMs),
      (message) => this.link.send(message),
      options.log,
      (error) =>
        this.link.send({
          t: 'capture-stopped',
          offsetMs: this.nowMs(),
          reason: error.message.slice(0, 500),
          restartable: error.name === 'InitChangedError',
        }),
    );
    this.lock = new ScreenLock(options.display, options.workDir, options.log);
    this.tracker = new WindowTracker(
      options.display,
      {
        added: (ids) => void this.blankUntilKnown(ids.length),
        opened: (window) => this.opening.set(window.id, this.windowOpened(window)),
        closed: (window) => this.windowClosed(window),
        focused: (window) => void this.windowFocused(window),
      },
      options.log,
    );
    const welcome = this.link.welcome;
    this.storage = new StorageWatcher({
      removable: welcome.storage.removable,
      network: welcome.storage.network,
      log: options.log,
      onWrite: (write) =>
        this.event(write.kind === 'removable' ? 'file.write.removable' : 'file.write.network', {
          path: write.path,
          mountPoint: write.mountPoint,
          sizeBytes: write.sizeBytes,
          ...(write.pid ? { pid: write.pid } : {}),
          ...(write.app ? { app: write.app } : {}),
        }),
      onBlocked: (blocked) => {
        this.event('response.executed', {
          action: 'block-transfer',
          path: blocked.path,
          storage: blocked.kind,
          ...(blocked.pid ? { pid: blocked.pid } : {}),
          ...(blocked.app ? { app: blocked.app } : {}),
        });
        showNotice(
          options.display,
          `File transfers to ${blocked.kind} storage are blocked in this session.\n${blocked.app ?? 'The transfer'} was stopped and ${blocked.path} removed.`,
        );
      },
    });
    this.usb = new UsbWatcher(
      options.config.desktop.sysBlockDir,
      (disk) =>
        this.event('usb.insert', {
          device: disk.device,
          ...(disk.vendor ? { vendor: disk.vendor } : {}),
          ...(disk.model ? { model: disk.model } : {}),
          ...(disk.sizeBytes ? { sizeBytes: disk.sizeBytes } : {}),
        }),
      (disk) => this.event('usb.remove', { device: disk.device }),
    );
  }

  private nowMs(): number {
    return Math.max(0, Date.now() - this.startedAt);
  }

  private event(type: EventType, attributes: Attributes, offsetMs = this.nowMs()): void {
    this.pending.push({ type, offsetMs, attributes });
    if (this.pending.length >= 500) this.flush();
  }

  private flush(): void {
    while (this.pending.length > 0) {
      this.link.send({ t: 'events', events: this.pending.splice(0, 500) });
    }
  }

  async run(): Promise<string> {
    const { options } = this;
    const welcome = this.link.welcome;
    this.link.onMessage((message) => this.onMessage(message));
    if (welcome.notice) showNotice(options.display, welcome.notice);
    void this.x.closed.then(() => this.end('display-closed'));
    await this.x
      .watchClipboard(() =>
        this.event('clipboard.use', {
          selection: 'CLIPBOARD',
          action: 'copy',
          ...(this.focusedApp ? { app: this.focusedApp.name } : {}),
        }),
      )
      .catch((error: Error) => options.log(`clipboard: ${error.message}`));
    this.applyExclusions(welcome.recording);
    // Windows first: the capture starts with the masks of what is already open.
    await this.tracker.start();
    void this.tracker.exited.then(() => this.end('display-closed'));
    await this.storage.start();
    await this.usb.start();
    void this.applyRecording(welcome.recording);
    this.timers.push(setInterval(() => this.flush(), 1000));
    this.timers.push(setInterval(() => void this.checkIdle(), 1000));
    // Moves and resizes arrive as X events; the poll is the safety net.
    this.x.watchTopLevelChanges(() => this.masksChanged());
    this.timers.push(setInterval(() => void this.refreshMasks(), options.maskPollMs ?? 1000));
    // The daemon samples a local display's connection itself (it can tell which is this
    // display's); the session does for X forwarding (its own SSH connection).
    if (!welcome.metricsByDaemon) {
      void this.sampleNetwork();
      this.timers.push(setInterval(() => void this.sampleNetwork(), welcome.metricSeconds * 1000));
    }
    if (options.signal) {
      if (options.signal.aborted) this.end('logout');
      options.signal.addEventListener('abort', () => this.end('logout'), { once: true });
    }
    await this.endPromise;
    return this.shutdown();
  }

  private end(reason: string): void {
    this.ending ??= reason;
    this.endRequested();
  }

  private async shutdown(): Promise<string> {
    for (const timer of this.timers) clearInterval(timer);
    this.tracker.stop();
    this.storage.stop();
    this.usb.stop();
    await this.lock.unlock().catch(() => undefined);
    await this.recordingChain;
    await this.recorder.stop().catch(() => undefined);
    if (this.idle) this.event('idle.end', {});
    for (const app of this.apps.values()) this.event('app.stop', { app: app.name, pid: app.pid });
    this.flush();
    const reason = this.ending ?? 'logout';
    this.link.send({ t: 'end', offsetMs: this.nowMs(), reason });
    await this.link.close();
    this.x.close();
    return reason;
  }

  // ---- recording ----------------------------------------------------------------

  private applyExclusions(state: DesktopRecordingState): void {
    this.excluded = compileGlobs(state.capture.excludedApplications);
    this.excludedCount = state.capture.excludedApplications.length;
    this.masksKey = '';
  }

  private applyRecording(state: DesktopRecordingState): Promise<void> {
    const step = async () => {
      this.applyExclusions(state);
      // Masks first: the new settings may hide more before anything is captured under them.
      await this.refreshMasks();
      await this.recorder.apply(state);
    };
    this.recordingChain = this.recordingChain.then(step, step);
    return this.recordingChain;
  }

  private isExcluded(window: TrackedWindow): boolean {
    const app = this.windowApps.get(window.id);
    const names = [app?.name, window.wmInstance, window.wmClass].filter(
      (name): name is string => !!name,
    );
    return names.some((name) => this.excluded.test(name));
  }

  private masksRunning = false;
  private masksDirty = false;

  /**
   * A window moved or changed: masks are looked at again at once. While one lookup runs,
   * further changes (a window being dragged) make one more lookup after it, not one each.
   */
  private masksChanged(): void {
    if (this.excludedCount === 0) return;
    if (this.masksRunning) {
      this.masksDirty = true;
      return;
    }
    this.masksRunning = true;
    void (async () => {
      do {
        this.masksDirty = false;
        await this.refreshMasks().catch(() => undefined);
      } while (this.masksDirty);
      this.masksRunning = false;
    })();
  }

  /**
   * While applications are excluded, a window that has just appeared may be one of them,
   * and it may draw before it is looked up: the whole screen is masked until it is.
   */
  private async blankUntilKnown(count: number): Promise<void> {
    this.unknownWindows += count;
    if (this.excludedCount === 0 || !this.recorder.capturing) return;
    this.masksKey = 'blank';
    this.options.log(`masks: whole screen until ${count} new window(s) are known`);
    await this.recorder.setMasks([{ x: 0, y: 0, ...this.x.size }]);
  }

  /** Looks up the rectangles of excluded windows and hands them to the capture when they change. */
  private async refreshMasks(): Promise<void> {
    if (this.unknownWindows > 0) return;
    const windows = this.tracker.list().filter((window) => this.isExcluded(window));
    const size = this.x.size;
    const rects = await this.tracker.rects(windows.map((window) => window.id));
    const masks: MaskRect[] = [];
    for (const rect of rects.values()) {
      const clipped = clipRect(rect, size);
      if (clipped) masks.push(clipped);
    }
    const key = JSON.stringify(masks);
    if (key === this.masksKey) return;
    this.masksKey = key;
    this.options.log(`masks: ${key}`);
    await this.recorder.setMasks(masks);
  }

  // ---- applications -------------------------------------------------------------

  private focusedApp: RunningApp | undefined;

  private async windowOpened(found: TrackedWindow): Promise<void> {
    let app: RunningApp | undefined;
    // Programs that do not set _NET_WM_PID: the X server knows which local process it is.
    const pid = found.pid ?? (await this.x.pidOfWindow(found.id));
    const window = pid ? { ...found, pid } : found;
    if (window.pid) {
      app = this.apps.get(window.pid);
      if (!app) {
        const info = await describeProcess(window.pid);
        const name = info?.name ?? window.wmInstance ?? window.wmClass ?? 'unknown';
        app = {
          pid: window.pid,
          name,
          commandLine: info?.commandLine ?? '',
          windows: new Set(),
        };
        this.apps.set(window.pid, app);
        this.link.send({ t: 'opened', offsetMs: this.nowMs(), app: name.slice(0, 512) });
        this.event('app.start', {
          app: name,
          pid: window.pid,
          commandLine: app.commandLine,
          ...(window.wmClass ? { windowClass: window.wmClass } : {}),
          ...(window.title !== undefined ? { windowTitle: window.title } : {}),
        });
      }
      app.windows.add(window.id);
    }
    this.windowApps.set(window.id, app);
    this.unknownWindows = Math.max(0, this.unknownWindows - 1);
    // A window of an excluded application is masked as soon as it is known.
    if (this.isExcluded(window) || this.masksKey === 'blank') await this.refreshMasks();
  }

  private windowClosed(window: TrackedWindow): void {
    const app = this.windowApps.get(window.id);
    this.windowApps.delete(window.id);
    this.opening.delete(window.id);
    if (app) {
      app.windows.delete(window.id);
      if (app.windows.size === 0) {
        this.apps.delete(app.pid);
        this.event('app.stop', { app: app.name, pid: app.pid });
      }
    }
    void this.refreshMasks();
  }

  private async windowFocused(window: TrackedWindow | undefined): Promise<void> {
    // The window may be reported focused before its own lookup finished.
    if (window) await this.opening.get(window.id);
    const app = window ? this.windowApps.get(window.id) : undefined;
    this.focusedApp = app;
    if (!window) return;
    const name = app?.name ?? window.wmInstance ?? window.wmClass ?? 'unknown';
    this.event('app.focus', {
      app: name,
      ...(app ? { pid: app.pid } : {}),
      ...(window.title !== undefined ? { windowTitle: window.title } : {}),
    });
    this.flush();
    this.link.send({ t: 'focus', offsetMs: this.nowMs(), app: name.slice(0, 512) });
  }

  // ---- idle and network -----------------------------------------------------------

  private async checkIdle(): Promise<void> {
    const idleMs = await this.x.idleMs();
    if (idleMs === undefined) return;
    const now = this.nowMs();
    const idleSeconds = this.idleSeconds;
    if (!this.idle && idleMs >= idleSeconds * 1000) {
      this.idle = true;
      this.idleSinceThresholdMs = idleSeconds * 1000;
      const since = Math.max(0, now - idleMs + idleSeconds * 1000);
      this.event('idle.start', { idleSeconds }, since);
    } else if (this.idle && idleMs < this.idleSinceThresholdMs) {
      this.idle = false;
      this.event('idle.end', {}, Math.max(0, now - idleMs));
    }
  }

  private displayPorts(): number[] {
    const ports = [...this.options.config.desktop.remotePorts];
    const n = displayNumber(this.options.display);
    if (n !== undefined && !ports.includes(5900 + n)) ports.push(5900 + n);
    return ports;
  }

  private async sampleNetwork(): Promise<void> {
    const endpoints = await findDisplayConnection(
      this.options.display,
      this.options.env,
      this.displayPorts(),
    );
    if (!endpoints) return;
    const info = await readTcpInfo(endpoints);
    if (!info) return;
    const at = this.nowMs();
    this.link.send({ t: 'metrics', samples: [{ offsetMs: at, ...this.sampler.next(info, at) }] });
  }

  // ---- commands -------------------------------------------------------------------

  private onMessage(message: DesktopDaemonMessage): void {
    if (message.t === 'command') void this.onCommand(message);
    else if (message.t === 'detection') this.onDetection(message);
    else if (message.t === 'recording') {
      const ref = message.ref;
      void this.applyRecording(message.recording).finally(() =>
        this.link.send({ t: 'switched', ref }),
      );
    } else if (message.t === 'resumed') void this.applyRecording(message.recording);
  }

  /** New detection settings (a policy change, a resume): they apply from now on. */
  private onDetection(detection: Extract<DesktopDaemonMessage, { t: 'detection' }>): void {
    const { idleSeconds, storage } = detection;
    this.options.log(
      `detection: idle after ${idleSeconds} s (was ${this.idleSeconds} s); removable ${JSON.stringify(storage.removable)}; network ${JSON.stringify(storage.network)}`,
    );
    this.idleSeconds = idleSeconds;
    this.storage.setGlobs(storage.removable, storage.network);
  }

  private async onCommand(message: Extract<DesktopDaemonMessage, { t: 'command' }>) {
    const verdict = (status: 'acked' | 'failed', detail: string) =>
      this.link.send({ t: 'verdict', commandId: message.commandId, status, detail });
    const { display } = this.options;
    try {
      switch (message.action) {
        case 'lock':
          await this.lock.lock(message.message ? `${LOCK_TEXT}\n\n${message.message}` : LOCK_TEXT);
          this.event('session.lock', { by: 'administrator' });
          return verdict('acked', 'screen locked');
        case 'unlock':
          if (!this.lock.locked) return verdict('failed', 'not locked');
          await this.lock.unlock();
          this.event('session.unlock', { by: 'administrator' });
          return verdict('acked', 'screen unlocked');
        case 'notice':
          showNotice(display, message.message ?? 'Notice from your administrator.');
          return verdict('acked', 'notice shown');
        case 'block-transfer': {
          const stopped = await this.storage.block();
          showNotice(
            display,
            'File transfers to removable and network storage are blocked in this session.',
          );
          return verdict(
            'acked',
            `transfers blocked; ${stopped} running transfer(s) stopped; watching ${this.storage.watchedMounts.length} mount(s)`,
          );
        }
        case 'disconnect':
          return verdict(...(await this.disconnect(message.message)));
        case 'logoff':
          showNotice(
            display,
            message.message ?? 'This session is being logged off by an administrator.',
          );
          this.event('response.executed', { action: 'logoff' });
          verdict('acked', `ending the session's ${this.apps.size} application(s)`);
          await this.logoff();
          return;
      }
    } catch (error) {
      verdict('failed', (error as Error).message);
    }
  }

  /**
   * Drops an X-forwarded display's SSH connection: the user's own sshd process ends. A
   * local display's remote client (xrdp, VNC) is disconnected by the daemon, which can tell
   * which connection is this display's; the session only guesses (the first connection on
   * a remote-display port), so it does not act on that guess.
   */
  private async disconnect(text?: string): Promise<['acked' | 'failed', string]> {
    if (!/^localhost:/.test(this.options.display) || !this.options.env.SSH_CONNECTION) {
      return ['failed', 'only the agent daemon disconnects a local display'];
    }
    const endpoints = await findDisplayConnection(
      this.options.display,
      this.options.env,
      this.displayPorts(),
    );
    if (!endpoints) return ['failed', 'no remote-display connection found for this display'];
    const pid = await connectionOwner(endpoints);
    if (!pid) {
      return ['failed', 'the remote-display connection is held by a process the user cannot end'];
    }
    showNotice(
      this.options.display,
      text ?? 'This session is being disconnected by an administrator.',
    );
    try {
      process.kill(pid, 'SIGTERM');
    } catch (error) {
      return ['failed', `cannot end pid ${pid}: ${(error as Error).message}`];
    }
    this.event('response.executed', { action: 'disconnect', pid, client: endpoints.clientIp });
    return ['acked', `connection from ${endpoints.clientIp} dropped (pid ${pid})`];
  }

  /** Ends every application of the display (SIGTERM, SIGKILL after 3 s), then the session. */
  private async logoff(): Promise<void> {
    const pids = [...this.apps.keys()];
    const signal = (sig: NodeJS.Signals) => {
      for (const pid of pids) {
        try {
          process.kill(pid, sig);
        } catch {
          // gone
        }
      }
    };
    signal('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    signal('SIGKILL');
    // Under a login manager the X session itself ends too.
    const sessionId = this.options.env.XDG_SESSION_ID;
    if (sessionId && /^[\w-]+$/.test(sessionId)) {
      execFile('loginctl', ['terminate-session', sessionId], () => undefined);
    }
    this.end('logoff');
  }
}
