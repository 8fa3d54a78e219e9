/**
 * @xterm/addon-serialize, typed here with only what the api uses. Its own typings import
 * @xterm/xterm's, which pull the DOM library into the whole server type check (and change
 * Node's fetch types there), so the module is loaded untyped and given this interface.
 */
import { createRequire } from 'node:module';
import type { ITerminalAddon, Terminal } from '@xterm/headless';

export interface SerializeAddonLike extends ITerminalAddon {
  activate(terminal: Terminal): void;
  serialize(options?: { scrollback?: number; excludeModes?: boolean }): string;
}

const load = createRequire(__filename);
const addon = load('@xterm/addon-serialize') as { SerializeAddon: new () => SerializeAddonLike };

export function createSerializeAddon(): SerializeAddonLike {
  return new addon.SerializeAddon();
}
