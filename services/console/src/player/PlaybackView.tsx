/**
 * One recording played with its controls: play/pause, previous/next event, speed 0.5x to
 * 16x, skip idle, the focused application and window title at the current moment, the
 * timeline with event markers and the network graph. Used by the signed-in player and by
 * share links (which pass no events and no samples).
 */
import { type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import type { MetricSample, Segment, SessionEvent } from '../api/types';
import { formatOffset } from '../search/search-query';
import type { MediaControl } from './media-control';
import { NetworkGraph } from './NetworkGraph';
import { screenPlayer, terminalPlayer } from './player-modules';

import type { CastFetcher, StateFetcher } from './terminal-playback';
import { type Selection, Timeline } from './Timeline';
import {
  buildTimeMap,
  focusAt,
  idlePeriods,
  nextEvent,
  PLAYBACK_RATES,
  previousEvent,
  skipIdleTarget,
} from './timeline-model';

export type MediaSource =
  | {
      kind: 'screen';
      playlistUrl: string;
      /** The playlist's text, already being fetched: hls.js's first read uses it. */
      firstPlaylist?: Promise<string | undefined>;
    }
  | { kind: 'terminal'; fetchCast: CastFetcher; fetchState: StateFetcher };

export interface PlaybackViewProps {
  source: MediaSource;
  segments: readonly Segment[];
  events: readonly SessionEvent[];
  samples: readonly MetricSample[];
  startAtMs: number | undefined;
  live: boolean;
  selection?: Selection | undefined;
  onSelect?: (selection: Selection | undefined) => void;
  /** The current time, for panels outside (share "from = now"). */
  onTime?: (ms: number) => void;
  children?: ReactNode;
  /** The player shows its first frame or screen. */
  onReady?: () => void;
  /** The focused-window line; false where there are no events to tell it (a share). */
  showFocus?: boolean;
}

export function PlaybackView(props: PlaybackViewProps) {
  const { source, segments, events, samples, live, selection, onSelect, onTime } = props;
  const map = useMemo(() => buildTimeMap(segments), [segments]);
  const control = useRef<MediaControl | null>(null);
  const [timeMs, setTimeMs] = useState(props.startAtMs ?? map.startMs);
  const [playing, setPlaying] = useState(false);
  const [rate, setRate] = useState(1);
  const [skipIdle, setSkipIdle] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [startAtMs] = useState(props.startAtMs ?? map.startMs);
  const idle = useMemo(() => idlePeriods(events, map.endMs), [events, map.endMs]);
  const focus = focusAt(events, timeMs);

  function seek(ms: number) {
    setTimeMs(ms);
    control.current?.seek(ms);
  }

  function time(ms: number) {
    setTimeMs(ms);
    onTime?.(ms);
    if (skipIdle && playing) {
      const target = skipIdleTarget(idle, ms);
      if (target !== undefined) control.current?.seek(target);
    }
  }

  useEffect(() => {
    control.current?.setRate(rate);
  }, [rate]);
  useEffect(() => {
    control.current?.setSkipIdle(skipIdle);
  }, [skipIdle]);

  // Each player brings its own library (hls.js or xterm.js): only the one needed is loaded,
  // and a placeholder holds its place until its code is in (no Suspense: see player-modules).
  const screen = screenPlayer.useLoaded(source.kind === 'screen');
  const terminal = terminalPlayer.useLoaded(source.kind === 'terminal');
  const ScreenPlayer = screen.Loaded;
  const TerminalPlayer = terminal.Loaded;

  const media =
    screen.failed || terminal.failed ? (
      <p role="alert" className="error">
        The player could not be loaded; reload the page.
      </p>
    ) : source.kind === 'screen' ? (
      ScreenPlayer && (
        <ScreenPlayer
          playlistUrl={source.playlistUrl}
          firstPlaylist={source.firstPlaylist}
          map={map}
          startAtMs={startAtMs}
          controlRef={control}
          onTime={time}
          onPlaying={setPlaying}
          onError={setError}
          onReady={props.onReady}
        />
      )
    ) : (
      TerminalPlayer && (
        <TerminalPlayer
          fetchCast={source.fetchCast}
          fetchState={source.fetchState}
          startMs={map.startMs}
          endMs={map.endMs}
          startAtMs={startAtMs}
          controlRef={control}
          onTime={time}
          onPlaying={setPlaying}
          onError={setError}
          onReady={props.onReady}
        />
      )
    );

  const prev = previousEvent(events, timeMs);
  const next = nextEvent(events, timeMs);
  return (
    <section className="playback" data-current-ms={Math.round(timeMs)} data-testid="playback">
      {/* Which window had the focus (kept in place while events load, so nothing moves). */}
      {props.showFocus !== false && (
        <div className="focus" aria-live="off">
          {focus ? (
            <>
              <strong data-testid="focus-app">{focus.app}</strong>{' '}
              <span data-testid="focus-title">{focus.windowTitle}</span>
            </>
          ) : events.length > 0 ? (
            <span className="muted">No focused window reported yet</span>
          ) : null}
          {live && <span className="live-badge">LIVE</span>}
        </div>
      )}
      <div className="media">{media ?? <p className="muted">Loading player…</p>}</div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="controls" role="toolbar" aria-label="Playback">
        <button
          type="button"
          onClick={() => (playing ? control.current?.pause() : control.current?.play())}
          aria-label={playing ? 'Pause' : 'Play'}
        >
          {playing ? 'Pause' : 'Play'}
        </button>
        <button
          type="button"
          className="secondary"
          disabled={!prev}
          onClick={() => prev && seek(prev.offsetMs)}
        >
          ◀ Previous event
        </button>
        <button
          type="button"
          className="secondary"
          disabled={!next}
          onClick={() => next && seek(next.offsetMs)}
        >
          Next event ▶
        </button>
        <span className="time" data-testid="time">
          {formatOffset(timeMs)} / {formatOffset(map.endMs)}
        </span>
        <fieldset className="rates">
          <legend className="visually-hidden">Speed</legend>
          {PLAYBACK_RATES.map((r) => (
            <button
              key={r}
              type="button"
              className="secondary"
              aria-pressed={rate === r}
              onClick={() => setRate(r)}
            >
              {r}×
            </button>
          ))}
        </fieldset>
        <label className="skip">
          <input
            type="checkbox"
            checked={skipIdle}
            onChange={(e) => setSkipIdle(e.target.checked)}
          />{' '}
          Skip idle
        </label>
      </div>
      <Timeline
        startMs={map.startMs}
        endMs={map.endMs}
        timeMs={timeMs}
        events={events}
        idle={idle}
        selection={selection}
        onSeek={seek}
        onSelect={onSelect ?? (() => undefined)}
      />
      {samples.length > 0 || events.length > 0 ? (
        <NetworkGraph samples={samples} startMs={map.startMs} endMs={map.endMs} timeMs={timeMs} />
      ) : null}
      {props.children}
    </section>
  );
}
