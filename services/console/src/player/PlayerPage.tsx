/**
 * The signed-in player for one session: `/sessions/{id}?recording={rid}&t={ms}` (search
 * results link here with the moment of the match). Loads the recording's segment times,
 * the events and network samples, then plays; a live recording keeps polling for new
 * segments and events. The clip selected on the timeline can be exported or shared.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { errorMessage, queryString, request } from '../api/client';
import type {
  MetricSample,
  RecordingDetail,
  Segment,
  SessionDetail,
  SessionEvent,
} from '../api/types';
import { formatOffset } from '../search/search-query';
import { SharePanel } from '../share/SharePanel';
import { PlaybackView, type MediaSource } from './PlaybackView';
import { takeEarly, takePlayerStart } from './player-boot';
import { loadEvents, loadMetrics, loadSegments } from './player-data';
import type { TerminalState } from './terminal-playback';
import type { Selection } from './Timeline';

const LIVE_POLL_MS = 4000;
/** The longest the timeline's events and samples wait for the player's first frame. */
const TRACKS_WAIT_MS = 1500;

function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

interface Loaded {
  session: SessionDetail;
  recording: RecordingDetail;
  segments: Segment[];
  events: SessionEvent[];
  samples: MetricSample[];
  truncated?: boolean;
  /** Events and samples loaded (until then the live poll leaves them alone). */
  tracks: boolean;
  /** The screen recording's playlist, already fetched at start (hls.js reads it first). */
  playlist?: Promise<string | undefined>;
}

function terminalSource(recordingId: string): MediaSource {
  const base = `/api/v1/recordings/${recordingId}`;
  return {
    kind: 'terminal',
    // The first of each may already be under way since the console started (player-boot).
    fetchCast: (from, to) => {
      const url = `${base}/asciicast${queryString({ from, to })}`;
      return takeEarly<string>(url)?.catch(() => request<string>(url)) ?? request<string>(url);
    },
    fetchState: (at) => {
      const url = `${base}/terminal-state${queryString({ at })}`;
      return (
        takeEarly<TerminalState>(url)?.catch(() => request<TerminalState>(url)) ??
        request<TerminalState>(url)
      );
    },
  };
}

export function PlayerPage() {
  const { sessionId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const wanted = params.get('recording') ?? undefined;
  const t = params.get('t');
  const startAtMs = t !== null && /^\d+$/.test(t) ? Number(t) : undefined;
  const [loaded, setLoaded] = useState<Loaded | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [selection, setSelection] = useState<Selection | undefined>();
  const [now, setNow] = useState(0);
  /** Resolved when the player shows its first frame (a new one per session and recording). */
  const shown = useRef(signal());

  useEffect(() => {
    let alive = true;
    shown.current = signal();
    const firstFrame = shown.current;
    (async () => {
      // What the console began at start for this URL (player-boot.ts), else everything at
      // once when the link names the recording (search results do). What it began can have
      // failed (the visitor signed in only afterwards: 401s): each part is then asked again.
      const early = takePlayerStart(sessionId, wanted);
      const failed = () => undefined;
      // The events and network samples (pages of JSON, thousands on a long session) are
      // asked for once the player shows its first frame, or after a moment: asked beside
      // the player's own requests, they competed with them in the api and in the page.
      const tracksTime = Promise.race([
        firstFrame.promise,
        new Promise((r) => setTimeout(r, TRACKS_WAIT_MS)),
      ]);
      const eventsLoad = tracksTime.then(() => loadEvents(sessionId));
      const samplesLoad = tracksTime.then(() => loadMetrics(sessionId));
      const wantedLoad = !early && wanted ? loadSegments(wanted) : undefined;
      // Awaited below; a failure before then must not surface as an unhandled rejection.
      for (const load of [eventsLoad, samplesLoad, wantedLoad]) load?.catch(() => undefined);
      const session =
        (await early?.session.catch(failed)) ??
        (await request<SessionDetail>(`/api/v1/sessions/${sessionId}`));
      const summary =
        session.recordings.find((r) => r.recordingId === wanted) ?? session.recordings[0];
      if (!summary) throw new Error('this session has no recording');
      const started = await early?.recording.catch(failed);
      const { detail, segments } =
        started?.recordingId === summary.recordingId
          ? started
          : summary.recordingId === wanted && wantedLoad
            ? await wantedLoad
            : await loadSegments(summary.recordingId);
      // Not awaited: hls.js waits for it (or asks itself when it is not this recording's).
      const playlist = early?.playlist.then(
        (p) => (p?.recordingId === summary.recordingId ? p.text : undefined),
        failed,
      );
      // The player starts as soon as the segments are known; the timeline's events and the
      // network graph fill in when they arrive.
      if (!alive) return;
      performance.mark('sessionrec:player-data-in');
      setLoaded({
        session,
        recording: detail,
        segments,
        events: [],
        samples: [],
        tracks: false,
        ...(playlist ? { playlist } : {}),
      });
      const [events, samples] = await Promise.all([eventsLoad, samplesLoad]);
      if (!alive) return;
      setLoaded((current) =>
        current
          ? {
              ...current,
              events: [...events.items, ...current.events],
              samples: [...samples.items, ...current.samples],
              truncated: events.truncated || samples.truncated,
              tracks: true,
            }
          : current,
      );
    })().catch((err: unknown) => alive && setError(errorMessage(err)));
    return () => {
      alive = false;
    };
  }, [sessionId, wanted]);

  const live = loaded?.recording.live ?? false;
  const poll = useCallback(async () => {
    if (!loaded?.tracks) return;
    const lastSeq = loaded.segments[loaded.segments.length - 1]?.seq;
    const lastEvent = loaded.events[loaded.events.length - 1]?.offsetMs;
    const lastSample = loaded.samples[loaded.samples.length - 1]?.offsetMs;
    const [more, events, samples] = await Promise.all([
      loadSegments(loaded.recording.recordingId, lastSeq),
      loadEvents(sessionId, lastEvent !== undefined ? lastEvent + 1 : undefined),
      loadMetrics(sessionId, lastSample !== undefined ? lastSample + 1 : undefined),
    ]);
    setLoaded({
      ...loaded,
      recording: more.detail,
      segments: more.segments.length ? [...loaded.segments, ...more.segments] : loaded.segments,
      events: events.items.length ? [...loaded.events, ...events.items] : loaded.events,
      samples: samples.items.length ? [...loaded.samples, ...samples.items] : loaded.samples,
    });
  }, [loaded, sessionId]);

  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => void poll().catch(() => undefined), LIVE_POLL_MS);
    return () => clearInterval(timer);
  }, [live, poll]);

  if (error) {
    return (
      <main>
        <p role="alert" className="error">
          {error}
        </p>
        <Link to="/search">Back to search</Link>
      </main>
    );
  }
  if (!loaded) return <p className="loading">Loading session…</p>;

  const { session, recording } = loaded;
  const rid = recording.recordingId;
  const source: MediaSource =
    recording.kind === 'screen'
      ? {
          kind: 'screen',
          playlistUrl: `/api/v1/recordings/${rid}/playlist.m3u8`,
          ...(loaded.playlist !== undefined ? { firstPlaylist: loaded.playlist } : {}),
        }
      : terminalSource(rid);
  const exportQuery = selection ? queryString({ from: selection.fromMs, to: selection.toMs }) : '';
  return (
    <main className="player-page">
      <h1>
        {session.user ?? 'unknown user'} on {session.host ?? 'unknown host'}
      </h1>
      <p className="muted">
        {new Date(session.startedAt).toLocaleString()} · {session.protocol ?? ''} ·{' '}
        {session.counts.events} events
        {session.endedAt ? ` · ended (${session.endReason ?? 'ended'})` : ' · in progress'}
        {loaded.truncated && ' · only the first 20,000 events and samples are shown'}
      </p>
      {session.recordings.length > 1 && (
        <nav aria-label="Recordings of this session" className="recording-tabs">
          {session.recordings.map((r) => (
            <button
              key={r.recordingId}
              type="button"
              className="secondary"
              aria-pressed={r.recordingId === rid}
              onClick={() => setParams({ recording: r.recordingId })}
            >
              {r.kind} {new Date(r.startedAt).toLocaleTimeString()}
            </button>
          ))}
        </nav>
      )}
      <PlaybackView
        key={rid}
        source={source}
        segments={loaded.segments}
        events={loaded.events}
        samples={loaded.samples}
        startAtMs={startAtMs}
        live={recording.live}
        selection={selection}
        onSelect={setSelection}
        onTime={setNow}
        onReady={() => shown.current.resolve()}
      >
        <div className="clip-tools">
          <p>
            {selection ? (
              <>
                Selected clip {formatOffset(selection.fromMs)} – {formatOffset(selection.toMs)}{' '}
                <button type="button" className="link" onClick={() => setSelection(undefined)}>
                  clear
                </button>
              </>
            ) : (
              <span className="muted">Drag across the timeline to select a clip.</span>
            )}
          </p>
          <a
            className="button secondary"
            href={`/api/v1/recordings/${rid}/export${exportQuery}`}
            download
          >
            Export {selection ? 'clip' : 'recording'}
          </a>
          <SharePanel
            recordingId={rid}
            selection={selection}
            nowMs={now}
            onSelect={setSelection}
            listNow={loaded.tracks}
          />
        </div>
      </PlaybackView>
    </main>
  );
}
