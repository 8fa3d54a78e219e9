/**
 * The player's code, loaded on demand (hls.js and xterm.js are most of the console's
 * code) but startable early: player-boot.ts preloads what a player URL needs while the
 * page starts. A component whose code has already arrived renders at once instead of
 * suspending: React.lazy suspends at least once even for a loaded module, and React holds
 * a suspended boundary's content back for a while (its fallback throttle), which showed up
 * as hundreds of milliseconds before the first frame. The players go further and never
 * suspend: `useLoaded` renders a placeholder until their code is in, then the player
 * (a Suspense boundary that resolves is revealed only after React's fallback throttle,
 * 300 ms, which a trace of the terminal's first screen showed as idle time between the
 * player's code and asciicast arriving and the terminal being created).
 */
import { type ComponentType, lazy, useEffect, useState } from 'react';

export interface Preloadable<P extends object> {
  Component: ComponentType<P>;
  preload(): Promise<unknown>;
  /**
   * The component once its code is in (loading it when `wanted`), else undefined; `failed`
   * when its code could not be loaded.
   */
  useLoaded(wanted: boolean): { Loaded: ComponentType<P> | undefined; failed: boolean };
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
  function useLoaded(wanted: boolean) {
    const [state, setState] = useState<{ Loaded: ComponentType<P> | undefined; failed: boolean }>(
      () => ({ Loaded: loaded, failed: false }),
    );
    useEffect(() => {
      if (!wanted || state.Loaded) return;
      let alive = true;
      preload().then(
        (component) => alive && setState({ Loaded: component, failed: false }),
        () => alive && setState({ Loaded: undefined, failed: true }),
      );
      return () => {
        alive = false;
      };
    }, [wanted, state.Loaded]);
    return state;
  }
  return { Component, preload, useLoaded };
}

export const playerPage = preloadable(() => import('./PlayerPage').then((m) => m.PlayerPage));
export const screenPlayer = preloadable(() => import('./ScreenPlayer').then((m) => m.ScreenPlayer));
export const terminalPlayer = preloadable(() =>
  import('./TerminalPlayer').then((m) => m.TerminalPlayer),
);
