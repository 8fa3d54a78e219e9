/**
 * A terminal recording in xterm.js, played by TerminalPlayback from asciicast windows
 * fetched as needed (`fetchCast(from, to)`: the recording's or a share's asciicast route),
 * and the screen at a seek's target (`fetchState(at)`: their terminal-state route).
 */
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { type RefObject, useEffect, useRef } from 'react';
import type { MediaControl, MediaEvents } from './media-control';
import { type CastFetcher, type StateFetcher, TerminalPlayback } from './terminal-playback';

export interface TerminalPlayerProps extends MediaEvents {
  fetchCast: CastFetcher;
  fetchState: StateFetcher;
  startMs: number;
  endMs: number;
  startAtMs: number;
  controlRef: RefObject<MediaControl | null>;
}

/**
 * Performance marks of the first screen (read by the console benchmark to say where its
 * time went): the terminal created, the first asciicast window and screen state in, the
 * first screen drawn. Each is marked once per page.
 */
function markOnce(name: string): void {
  if (performance.getEntriesByName(name, 'mark').length === 0) performance.mark(name);
}

export function TerminalPlayer(props: TerminalPlayerProps) {
  const { controlRef, startMs } = props;
  const host = useRef<HTMLDivElement>(null);
  const latest = useRef(props);
  const playbackRef = useRef<TerminalPlayback | null>(null);
  useEffect(() => {
    latest.current = props;
    if (playbackRef.current) playbackRef.current.endMs = props.endMs;
  });

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const term = new Terminal({
      disableStdin: true,
      convertEol: false,
      cursorBlink: false,
      scrollback: 1000,
      fontSize: 14,
    });
    term.open(el);
    markOnce('sessionrec:terminal-created');
    const playback = new TerminalPlayback(
      {
        write: (d) => term.write(d),
        reset: () => term.reset(),
        resize: (h) => term.resize(Math.min(h.width, 300), Math.min(h.height, 120)),
      },
      (from, to) =>
        latest.current.fetchCast(from, to).then((text) => {
          markOnce('sessionrec:terminal-cast-in');
          return text;
        }),
      (at) =>
        latest.current.fetchState(at).then((state) => {
          markOnce('sessionrec:terminal-state-in');
          return state;
        }),
      startMs,
      latest.current.endMs,
    );
    playbackRef.current = playback;
    let last = performance.now();
    let frame = 0;
    let reported = -1;
    let wasPlaying = false;
    const loop = (now: number) => {
      playback.tick(now - last);
      last = now;
      if (Math.abs(playback.time - reported) >= 100) {
        reported = playback.time;
        latest.current.onTime(playback.time);
      }
      if (wasPlaying && !playback.playing) latest.current.onPlaying(false);
      wasPlaying = playback.playing;
      frame = requestAnimationFrame(loop);
    };
    frame = requestAnimationFrame(loop);
    let seeks = 0;
    const seek = (ms: number) => {
      const mine = ++seeks;
      const target = Math.round(Math.min(Math.max(ms, playback.startMs), playback.endMs));
      return playback.seek(ms).then(
        () => {
          latest.current.onTime(playback.time);
          // Marked once xterm.js has parsed what the seek wrote (writes are parsed in order)
          // and drawn it (the next frame): tests, and anyone curious, can wait on it.
          term.write('', () =>
            requestAnimationFrame(() => {
              if (mine === seeks) el.dataset.seekedMs = String(target);
              markOnce('sessionrec:terminal-first-screen');
              latest.current.onReady?.();
            }),
          );
        },
        (err: Error) => latest.current.onError(err.message),
      );
    };
    void seek(latest.current.startAtMs);
    controlRef.current = {
      seek: (ms) => void seek(ms),
      play: () => {
        if (playback.time >= playback.endMs) void seek(playback.startMs);
        playback.playing = true;
        latest.current.onPlaying(true);
      },
      pause: () => {
        playback.playing = false;
        latest.current.onPlaying(false);
      },
      setRate: (rate) => {
        playback.rate = rate;
      },
      setSkipIdle: (skip) => {
        playback.skipIdle = skip;
      },
    };
    return () => {
      cancelAnimationFrame(frame);
      controlRef.current = null;
      playbackRef.current = null;
      term.dispose();
    };
  }, [controlRef, startMs]);

  return (
    <div
      ref={host}
      className="terminal"
      role="img"
      aria-label="Terminal recording"
      data-testid="terminal"
    />
  );
}
