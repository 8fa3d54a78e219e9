/**
 * The application windows of an X display, followed as the window manager announces
 * them: `xprop -root -spy _NET_ACTIVE_WINDOW _NET_CLIENT_LIST` prints a line each time
 * the focused window or the list of managed windows changes (EWMH, set by any current
 * window manager), so nothing is polled for focus. Each new window is looked up once
 * (`xprop -id`: _NET_WM_PID, title, WM_CLASS); the focused window's title is followed with
 * its own `xprop -spy`. Window rectangles (for masks) come from `xwininfo -root -tree`.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  type WindowProperties,
  type WindowRect,
  frameRect,
  parseWindowList,
  parseWindowProperties,
  parseWindowTree,
} from './x11-text';

export interface TrackedWindow extends WindowProperties {
  readonly id: number;
}

export interface WindowListener {
  /** New managed windows, before they are looked up (opened follows for each). */
  added?(ids: readonly number[]): void;
  opened(window: TrackedWindow): void;
  closed(window: TrackedWindow): void;
  /** The focused window changed (undefined: none), or its title did. */
  focused(window: TrackedWindow | undefined): void;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: 5000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout) =>
      resolve(error ? '' : stdout),
    );
  });
}

export class WindowTracker {
  private spy: ChildProcess | undefined;
  private titleSpy: ChildProcess | undefined;
  private readonly windows = new Map<number, TrackedWindow>();
  private activeId = 0;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    display: string,
    private readonly listener: WindowListener,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.env = { ...process.env, DISPLAY: display };
  }

  /** Starts following; resolves after the first state has been read. */
  async start(): Promise<void> {
    const first = new Promise<void>((resolve) => {
      let seen = 0;
      this.spy = spawn('xprop', ['-root', '-spy', '_NET_ACTIVE_WINDOW', '_NET_CLIENT_LIST'], {
        env: this.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      this.spy.on('error', (error) => this.log(`xprop: ${error.message}`));
      this.spy.once('exit', (code) => {
        resolve();
        if (!this.stopped) this.log(`xprop -spy ended (${code}): the display is gone`);
      });
      createInterface({ input: this.spy.stdout! }).on('line', (line) => {
        this.serial(() => this.onRootLine(line));
        // Both properties are printed once at the start.
        if (++seen === 2) this.serial(() => Promise.resolve(resolve()));
      });
    });
    await first;
  }

  /** Ends when the display does (xprop exits). */
  get exited(): Promise<void> {
    const spy = this.spy;
    if (!spy || spy.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => spy.once('exit', () => resolve()));
  }

  stop(): void {
    this.stopped = true;
    this.spy?.kill();
    this.titleSpy?.kill();
  }

  list(): TrackedWindow[] {
    return [...this.windows.values()];
  }

  get focusedWindow(): TrackedWindow | undefined {
    return this.windows.get(this.activeId);
  }

  /** Frame rectangles of these windows, read now (one `xwininfo`). */
  async rects(ids: readonly number[]): Promise<Map<number, WindowRect>> {
    const out = new Map<number, WindowRect>();
    if (ids.length === 0) return out;
    const tree = parseWindowTree(await run('xwininfo', ['-root', '-tree'], this.env));
    for (const id of ids) {
      const rect = frameRect(tree, id);
      if (rect) out.set(id, rect);
    }
    return out;
  }

  private serial(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch((error: unknown) => {
      this.log(`window tracker: ${(error as Error).message}`);
    });
  }

  private async describe(id: number): Promise<TrackedWindow> {
    const text = await run(
      'xprop',
      ['-id', String(id), '_NET_WM_PID', '_NET_WM_NAME', 'WM_NAME', 'WM_CLASS'],
      this.env,
    );
    return { id, ...parseWindowProperties(text) };
  }

  private async onRootLine(line: string): Promise<void> {
    const clients = parseWindowList(line, '_NET_CLIENT_LIST');
    if (clients) {
      const now = new Set(clients);
      for (const [id, window] of this.windows) {
        if (!now.has(id)) {
          this.windows.delete(id);
          this.listener.closed(window);
          if (id === this.activeId) this.setActive(0);
        }
      }
      const added = clients.filter((id) => !this.windows.has(id));
      if (added.length > 0) this.listener.added?.(added);
      for (const id of clients) {
        if (this.windows.has(id)) continue;
        const window = await this.describe(id);
        this.windows.set(id, window);
        this.listener.opened(window);
      }
      return;
    }
    const active = parseWindowList(line, '_NET_ACTIVE_WINDOW');
    if (active) {
      const id = active[0] ?? 0;
      // The WM may name a window it no longer manages; only managed windows count.
      if (id !== 0 && !this.windows.has(id)) {
        const window = await this.describe(id);
        if (window.pid === undefined && window.title === undefined) return this.setActive(0);
        this.windows.set(id, window);
        this.listener.opened(window);
      }
      this.setActive(id);
    }
  }

  private setActive(id: number): void {
    if (id === this.activeId) return;
    this.activeId = id;
    this.titleSpy?.kill();
    this.titleSpy = undefined;
    this.listener.focused(this.windows.get(id));
    if (id === 0) return;
    // Follow the focused window's title (a browser tab, a document name).
    const spy = spawn('xprop', ['-id', String(id), '-spy', '_NET_WM_NAME', 'WM_NAME'], {
      env: this.env,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    spy.on('error', () => undefined);
    this.titleSpy = spy;
    createInterface({ input: spy.stdout }).on('line', (line) => {
      this.serial(() => {
        if (this.activeId !== id) return Promise.resolve();
        const { title } = parseWindowProperties(line);
        const window = this.windows.get(id);
        if (!window || title === undefined || title === window.title) return Promise.resolve();
        const updated = { ...window, title };
        this.windows.set(id, updated);
        this.listener.focused(updated);
        return Promise.resolve();
      });
    });
  }
}
