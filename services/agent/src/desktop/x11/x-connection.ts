/**
 * One X11 connection of the agent's own (the `x11` package, pure JavaScript) for what the
 * command-line tools cannot do without polling: clipboard copies, from XFIXES selection
 * owner events (whoever takes the CLIPBOARD selection has copied something), and the
 * user's idle time, from the MIT-SCREEN-SAVER extension (the time since the last key or
 * pointer input). The connection ending means the display is gone.
 */
import { type XClient, type XDisplay, createClient } from 'x11';

interface ScreenSaverExt {
  QueryInfo(drawable: number, callback: (error: unknown, info: { idle: number }) => void): void;
}
interface ResExt {
  QueryClientIds(
    specs: { client: number; mask: number }[],
    callback: (error: unknown, ids: { mask: number; value: number[] }[]) => void,
  ): void;
}
interface FixesExt {
  SelectSelectionInput(window: number, selection: number, mask: number): void;
}

/** Core event mask: a window's children being moved, resized, mapped, unmapped. */
const SUBSTRUCTURE_NOTIFY = 0x00080000;

/** X-Resource: the client's local process id. */
const LOCAL_CLIENT_PID = 2;

/** XFIXES: SetSelectionOwner | SelectionWindowDestroy | SelectionClientClose. */
const SELECTION_OWNER_CHANGE = 1;

const describe = (error: unknown) =>
  error instanceof Error ? error.message : JSON.stringify(error);

function requireExt<T>(client: XClient, name: string): Promise<T> {
  return new Promise((resolve, reject) =>
    client.require(name, (error, ext) =>
      error ? reject(new Error(`X extension ${name}: ${describe(error)}`)) : resolve(ext as T),
    ),
  );
}

export class XConnection {
  private screenSaver: ScreenSaverExt | undefined;
  private res: ResExt | null | undefined;
  private readonly clipboardListeners: ((selection: string) => void)[] = [];
  private closedResolve: () => void = () => undefined;
  readonly closed = new Promise<void>((resolve) => (this.closedResolve = resolve));

  private constructor(
    private readonly display: XDisplay,
    private readonly log: (line: string) => void,
  ) {}

  static open(display: string, log: (line: string) => void): Promise<XConnection> {
    return new Promise((resolve, reject) => {
      const client = createClient({ display }, (error, opened) => {
        if (error) return reject(new Error(`cannot open display ${display}: ${error.message}`));
        const connection = new XConnection(opened, log);
        client.on('end', () => connection.closedResolve());
        client.on('close', () => connection.closedResolve());
        resolve(connection);
      });
      client.on('error', (error) => log(`X connection: ${error.message}`));
    });
  }

  get root(): number {
    return this.display.screen[0]!.root;
  }

  get size(): { width: number; height: number } {
    const screen = this.display.screen[0]!;
    return { width: screen.pixel_width, height: screen.pixel_height };
  }

  /** Milliseconds since the last keyboard or pointer input; undefined without the extension. */
  async idleMs(): Promise<number | undefined> {
    const client = this.display.client;
    if (!this.screenSaver) {
      this.screenSaver = await requireExt<ScreenSaverExt>(client, 'screen-saver').catch(
        () => undefined,
      );
      if (!this.screenSaver) return undefined;
    }
    const ext = this.screenSaver;
    return new Promise((resolve) =>
      ext.QueryInfo(this.root, (error, info) => resolve(error ? undefined : info.idle)),
    );
  }

  /**
   * The pid of the local client that created a window, from the server (X-Resource), for
   * programs that do not set _NET_WM_PID (xmessage and other Xt programs).
   */
  async pidOfWindow(window: number): Promise<number | undefined> {
    if (this.res === undefined) {
      this.res = await requireExt<ResExt>(this.display.client, 'res').catch(() => null);
    }
    const res = this.res;
    if (!res) return undefined;
    return new Promise((resolve) => {
      // A server that never answers must not hold up the window's lookup (and its masks).
      const timer = setTimeout(() => resolve(undefined), 1000);
      res.QueryClientIds([{ client: window, mask: LOCAL_CLIENT_PID }], (error, ids) => {
        clearTimeout(timer);
        const pid = error ? undefined : ids.find((id) => id.mask === LOCAL_CLIENT_PID)?.value[0];
        resolve(pid && pid > 0 ? pid : undefined);
      });
    });
  }

  /**
   * Calls back whenever a top-level window (under a reparenting window manager: a frame)
   * is moved, resized, mapped or unmapped: masks follow windows without polling.
   */
  watchTopLevelChanges(listener: () => void): void {
    const client = this.display.client;
    const changes = new Set(['ConfigureNotify', 'MapNotify', 'UnmapNotify']);
    client.on('event', (event) => {
      if (event.name && changes.has(event.name)) listener();
    });
    client.ChangeWindowAttributes(this.root, { eventMask: SUBSTRUCTURE_NOTIFY });
  }

  /** Calls back with the selection name (CLIPBOARD) each time an application takes it. */
  async watchClipboard(listener: (selection: string) => void): Promise<boolean> {
    const client = this.display.client;
    const fixes = await requireExt<FixesExt>(client, 'fixes').catch((error: Error) => {
      this.log(error.message);
      return undefined;
    });
    if (!fixes) return false;
    const atom = await new Promise<number>((resolve, reject) =>
      client.InternAtom(false, 'CLIPBOARD', (error, value) =>
        error ? reject(new Error(describe(error))) : resolve(value),
      ),
    );
    this.clipboardListeners.push(listener);
    client.on('event', (event) => {
      if (event.name === 'SelectionNotify' && event.selection === atom && event.owner) {
        for (const notify of this.clipboardListeners) notify('CLIPBOARD');
      }
    });
    fixes.SelectSelectionInput(this.root, atom, SELECTION_OWNER_CHANGE);
    return true;
  }

  close(): void {
    try {
      this.display.client.terminate();
    } catch {
      // already closed
    }
    this.closedResolve();
  }
}
