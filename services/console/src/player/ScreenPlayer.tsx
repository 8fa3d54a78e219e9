/**
 * A screen recording through hls.js (MediaSource): the api's fMP4 playlist, fetched with
 * the session cookie. hls.js buffers a bounded window around the playhead, so a long
 * recording streams and a seek fetches only the segments at the target. A live (EVENT)
 * playlist is re-read by hls.js as it grows.
 */
// The light build: no subtitles, alternate audio or DRM, which recordings never have.
import Hls from 'hls.js/light';
import { type RefObject, useEffect, useRef } from 'react';
import { firstPlaylistLoader } from './first-playlist-loader';
import type { MediaControl, MediaEvents } from './media-control';
import type { TimeMap } from './timeline-model';

/** Seconds of media kept ahead of and behind the playhead. */
const BUFFER_AHEAD_S = 30;
const BUFFER_BEHIND_S = 30;

export interface ScreenPlayerProps extends MediaEvents {
  playlistUrl: string;
  /** The playlist's text, already being fetched (else hls.js fetches it). */
  firstPlaylist?: Promise<string | undefined> | undefined;
  map: TimeMap;
  startAtMs: number;
  controlRef: RefObject<MediaControl | null>;
}

export function ScreenPlayer(props: ScreenPlayerProps) {
  const { playlistUrl, controlRef } = props;
  const video = useRef<HTMLVideoElement>(null);
  const latest = useRef(props);
  useEffect(() => {
    latest.current = props;
  });

  useEffect(() => {
    const v = video.current;
    if (!v) return;
    const startPosition = latest.current.map.toPosition(latest.current.startAtMs);
    const hls = new Hls({
      startPosition,
      maxBufferLength: BUFFER_AHEAD_S,
      maxMaxBufferLength: BUFFER_AHEAD_S * 2,
      backBufferLength: BUFFER_BEHIND_S,
      // Play a recording from where the user asked, not from the live edge.
      liveSyncDurationCount: 1,
      // Recordings are fMP4 already: nothing to transmux, so no worker (starting one makes
      // it compile hls.js a second time before the first frame).
      enableWorker: false,
      ...(latest.current.firstPlaylist
        ? { pLoader: firstPlaylistLoader(latest.current.firstPlaylist) }
        : {}),
    });
    hls.on(Hls.Events.ERROR, (_e, data) => {
      if (data.fatal) latest.current.onError(`playback failed: ${data.details}`);
    });
    hls.loadSource(playlistUrl);
    hls.attachMedia(v);
    const time = () => latest.current.onTime(latest.current.map.toSession(v.currentTime));
    const playing = () => latest.current.onPlaying(true);
    const paused = () => latest.current.onPlaying(false);
    const ready = () => latest.current.onReady?.();
    v.addEventListener('loadeddata', ready, { once: true });
    v.addEventListener('timeupdate', time);
    v.addEventListener('seeked', time);
    v.addEventListener('playing', playing);
    v.addEventListener('pause', paused);
    v.addEventListener('ended', paused);
    controlRef.current = {
      seek: (ms) => {
        v.currentTime = latest.current.map.toPosition(ms);
        latest.current.onTime(ms);
      },
      play: () => void v.play().catch((err: Error) => latest.current.onError(err.message)),
      pause: () => v.pause(),
      setRate: (rate) => {
        v.playbackRate = rate;
      },
      setSkipIdle: () => undefined, // idle periods come from events: the page skips them
    };
    return () => {
      controlRef.current = null;
      v.removeEventListener('loadeddata', ready);
      v.removeEventListener('timeupdate', time);
      v.removeEventListener('seeked', time);
      v.removeEventListener('playing', playing);
      v.removeEventListener('pause', paused);
      v.removeEventListener('ended', paused);
      hls.destroy();
    };
  }, [playlistUrl, controlRef]);

  return (
    <video
      ref={video}
      className="screen"
      muted
      playsInline
      aria-label="Screen recording"
      data-testid="screen-video"
    />
  );
}
