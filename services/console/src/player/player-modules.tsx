/**
 * The player's code, loaded on demand (hls.js and xterm.js are most of the console's
 * code) but startable early: player-boot.ts preloads what a player URL needs while the
 * page starts. A component whose code has already arrived renders at once instead of
 * suspending: React.lazy suspends at least once even for a loaded module, and React holds
 * a suspended boundary's content back for a while (its fallback throttle), which showed up
 * as hundreds of milliseconds before the first frame.
 */
import { type ComponentType, lazy } from 'react';

export interface Preloadable<P extends object> {
  Component: ComponentType<P>;
  preload(): Promise<unknown>;
}

export function preloadable<P extends object>(
  load: () => Promise<ComponentType<P>>,
): Preloadable<P> {
  let loaded: ComponentType<P> | undefined;
  let loading: Promise<ComponentType<P>> | undefined;
  const preload = () =>
    (loading ??= load().then(
      (component) => (loaded = component),
      (err: unknown) => {
        loading = undefined; // a failed chunk load may be retried
        throw err;
      },
    ));
  const Lazy = lazy(() => preload().then((component) => ({ default: component })));
  function Component(props: P) {
    const Loaded = loaded;
    return Loaded ? <Loaded {...props} /> : <Lazy {...props} />;
  }
  return { Component, preload };
}

export const playerPage = preloadable(() => import('./PlayerPage').then((m) => m.PlayerPage));
export const screenPlayer = preloadable(() => import('./ScreenPlayer').then((m) => m.ScreenPlayer));
export const terminalPlayer = preloadable(() =>
  import('./TerminalPlayer').then((m) => m.TerminalPlayer),
);
