/**
 * Parsers for what the X11 command-line tools of Debian's x11-utils print: `xprop`
 * (root properties as they change with -spy, a window's properties) and
 * `xwininfo -root -tree` (every window with its absolute position). Pure functions:
 * the tools are run by window-tracker.ts.
 */

export interface WindowRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** `_NET_CLIENT_LIST(WINDOW): window id # 0x40000c, 0x600003` → the list; null if another line. */
export function parseWindowList(line: string, property: string): number[] | null {
  const match = new RegExp(`^${property}\\(WINDOW\\):\\s*window id #\\s*(.*)$`).exec(line.trim());
  if (!match) {
    // "not found." / "no such atom": the property is absent, i.e. no window.
    return line.startsWith(`${property}:`) ? [] : null;
  }
  return (match[1] ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => /^0x[0-9a-f]+$/i.test(part))
    .map((part) => Number.parseInt(part, 16))
    .filter((id) => id > 0);
}

/** Unquotes one xprop string value ("a \"b\"" → a "b"). */
function unquote(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

/** All quoted strings of an xprop value (WM_CLASS has two). */
function quotedStrings(value: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(value); m; m = re.exec(value)) out.push(unquote(m[1] ?? ''));
  return out;
}

export interface WindowProperties {
  readonly pid?: number;
  readonly title?: string;
  readonly wmInstance?: string;
  readonly wmClass?: string;
}

/** `xprop -id W _NET_WM_PID _NET_WM_NAME WM_NAME WM_CLASS` output. */
export function parseWindowProperties(text: string): WindowProperties {
  let pid: number | undefined;
  let netName: string | undefined;
  let name: string | undefined;
  let wmInstance: string | undefined;
  let wmClass: string | undefined;
  for (const line of text.split('\n')) {
    const eq = line.indexOf(' = ');
    if (eq < 0) continue;
    const key = line.slice(0, eq).replace(/\(.*\)$/, '');
    const value = line.slice(eq + 3);
    if (key === '_NET_WM_PID') {
      const n = Number(value.trim());
      if (Number.isInteger(n) && n > 0) pid = n;
    } else if (key === '_NET_WM_NAME') netName = quotedStrings(value)[0];
    else if (key === 'WM_NAME') name = quotedStrings(value)[0];
    else if (key === 'WM_CLASS') [wmInstance, wmClass] = quotedStrings(value);
  }
  const title = netName ?? name;
  return {
    ...(pid !== undefined ? { pid } : {}),
    ...(title !== undefined ? { title } : {}),
    ...(wmInstance !== undefined ? { wmInstance } : {}),
    ...(wmClass !== undefined ? { wmClass } : {}),
  };
}

interface TreeNode {
  readonly id: number;
  readonly depth: number;
  readonly rect: WindowRect;
  /** The window directly below the root this one is inside (its frame, under a reparenting WM). */
  readonly topLevel: number;
}

/**
 * `xwininfo -root -tree`: each window's absolute rectangle and its top-level ancestor.
 * Lines look like `   0x40000c "title": ("xterm" "XTerm")  484x316+1+20  +398+209`; the
 * indentation gives the nesting.
 */
export function parseWindowTree(text: string): Map<number, TreeNode> {
  const nodes = new Map<number, TreeNode>();
  const stack: TreeNode[] = [];
  const geometry = /\s(\d+)x(\d+)[+-]-?\d+[+-]-?\d+\s+\+?(-?\d+)\+?(-?\d+)\s*$/;
  for (const line of text.split('\n')) {
    const id = /^(\s*)(0x[0-9a-f]+)\s/i.exec(line);
    const geo = geometry.exec(line);
    if (!id || !geo) continue;
    const depth = id[1]!.length;
    while (stack.length > 0 && stack[stack.length - 1]!.depth >= depth) stack.pop();
    const windowId = Number.parseInt(id[2]!, 16);
    const node: TreeNode = {
      id: windowId,
      depth,
      rect: { x: Number(geo[3]), y: Number(geo[4]), width: Number(geo[1]), height: Number(geo[2]) },
      topLevel: stack[0]?.topLevel ?? windowId,
    };
    nodes.set(windowId, node);
    stack.push(node);
  }
  return nodes;
}

/** The rectangle to mask for a client window: its frame (title bar included) when it has one. */
export function frameRect(tree: Map<number, TreeNode>, windowId: number): WindowRect | undefined {
  const node = tree.get(windowId);
  if (!node) return undefined;
  return tree.get(node.topLevel)?.rect ?? node.rect;
}

/** Clips a rectangle to the screen; undefined when nothing of it is on screen. */
export function clipRect(
  rect: WindowRect,
  screen: { width: number; height: number },
): WindowRect | undefined {
  const x = Math.max(0, rect.x);
  const y = Math.max(0, rect.y);
  const right = Math.min(screen.width, rect.x + rect.width);
  const bottom = Math.min(screen.height, rect.y + rect.height);
  if (right <= x || bottom <= y) return undefined;
  return { x, y, width: right - x, height: bottom - y };
}

/** `:10`, `localhost:10.0` → 10. */
export function displayNumber(display: string): number | undefined {
  const match = /:(\d+)(\.\d+)?$/.exec(display);
  return match ? Number(match[1]) : undefined;
}
