/**
 * The player's first frame waits on a chain: the console script, the sign-in check
 * (`/auth/me`), the player page's code, the session and its recording's segment times,
 * the player's code (hls.js or xterm.js), the HLS playlist, then the media. Most links of
 * that chain do not depend on each other, so when the console starts on a
 * `/sessions/{id}` URL this starts them all at once, beside the sign-in check: the session,
 * the recording's segment times and (for a screen recording) its playlist, the page's
 * code, and the right player's code as soon as the recording's kind is known. The player
 * page then takes these promises instead of asking again. Someone not signed in gets
 * 401s here, which nobody reads: the sign-in check sends them to the sign-in page.
 */
import { queryString, request } from '../api/client';
import type { RecordingDetail, Segment, SessionDetail } from '../api/types';
import { loadSegments } from './player-data';
import { playerPage, screenPlayer, terminalPlayer } from './player-modules';
import { firstWindow } from './terminal-playback';

export interface PlayerStart {
  readonly sessionId: string;
  /** `?recording=` of the URL, if any. */
  readonly wanted: string | undefined;
  readonly session: Promise<SessionDetail>;
  /** The recording the page will play (the wanted one, else the session's first). */
  readonly recording: Promise<
    { recordingId: string; detail: RecordingDetail; segments: Segment[] } | undefined
  >;
  /** Its HLS playlist text, when it is a screen recording (the first one hls.js reads). */
  readonly playlist: Promise<{ recordingId: string; text: string } | undefined>;
}

let pending: PlayerStart | undefined;
/** Other first requests already under way, by URL: each is handed out once. */
const early = new Map<string, Promise<unknown>>();

/** The answer of a request startPlayer already made to this URL, once; else undefined. */
export function takeEarly<T>(url: string): Promise<T> | undefined {
  const answer = early.get(url);
  early.delete(url);
  return answer as Promise<T> | undefined;
}

function quiet<T>(promise: Promise<T>): Promise<T> {
  // Read later or never (signed out): never an unhandled rejection.
  promise.catch(() => undefined);
  return promise;
}

function playlistOf(recordingId: string) {
  return request<string>(`/api/v1/recordings/${recordingId}/playlist.m3u8`, { quiet401: true });
}

export function startPlayer(pathname: string, search: string): void {
  const match = /^\/sessions\/([0-9a-fA-F-]{36})$/.exec(pathname);
  if (!match?.[1]) return;
  const sessionId = match[1];
  const wanted = new URLSearchParams(search).get('recording') ?? undefined;
  void playerPage.preload().catch(() => undefined);
  const session = quiet(
    request<SessionDetail>(`/api/v1/sessions/${sessionId}`, { quiet401: true }),
  );
  const chosen = quiet(
    session.then((s) => s.recordings.find((r) => r.recordingId === wanted) ?? s.recordings[0]),
  );
  // The wanted recording's times and playlist need not wait for the session.
  const wantedLoad = wanted ? quiet(loadSegments(wanted)) : undefined;
  const earlyPlaylist = wanted ? quiet(playlistOf(wanted)) : undefined;
  // The player's code as soon as the recording's kind is known: from the session, or from
  // the wanted recording's own answer if that comes first.
  const kind = quiet(
    Promise.race([
      chosen.then((r) => r?.kind),
      ...(wantedLoad ? [wantedLoad.then((l) => l.detail.kind)] : []),
    ]),
  );
  void kind
    .then((k) =>
      k === 'terminal'
        ? terminalPlayer.preload()
        : k === 'screen'
          ? screenPlayer.preload()
          : undefined,
    )
    .catch(() => undefined);
  const recording = quiet(
    chosen.then(async (r) => {
      if (!r) return undefined;
      const loaded =
        r.recordingId === wanted && wantedLoad
          ? await wantedLoad
          : await loadSegments(r.recordingId);
      return { recordingId: r.recordingId, ...loaded };
    }),
  );
  const playlist = quiet(
    chosen.then(async (r) => {
      if (r?.kind !== 'screen') return undefined;
      const text =
        r.recordingId === wanted && earlyPlaylist
          ? await earlyPlaylist
          : await playlistOf(r.recordingId);
      return { recordingId: r.recordingId, text };
    }),
  );
  // The media hls.js will ask for first (the init segment and the segment at `?t=`) are
  // cacheable (private, max-age): reading them now puts them in the browser's cache, so
  // hls.js finds them there instead of asking only after its code has loaded and started.
  const t = Number(new URLSearchParams(search).get('t') ?? Number.NaN);
  void Promise.all([chosen, recording])
    .then(([r, loaded]) => {
      if (r?.kind !== 'screen' || !loaded) return;
      const at = Number.isFinite(t) ? t : (loaded.segments[0]?.startMs ?? 0);
      const first =
        loaded.segments.find((s) => s.startMs <= at && at < s.endMs) ?? loaded.segments[0];
      const base = `/api/v1/recordings/${r.recordingId}`;
      const urls = [
        ...(loaded.detail.init ? [`${base}/init.mp4`] : []),
        ...(first ? [`${base}/segments/${first.seq}.m4s`] : []),
      ];
      return Promise.all(
        urls.map((url) =>
          fetch(url, { credentials: 'same-origin' }).then((res) => res.arrayBuffer()),
        ),
      );
    })
    .catch(() => undefined);
  // A terminal player's first seek: the screen at the start moment (when it is not the
  // recording's start) and the asciicast window after it, asked exactly as the player will
  // ask (terminal-playback.ts), so it finds the answers under way.
  void Promise.all([chosen, recording])
    .then(([r, loaded]) => {
      const first = loaded?.segments[0];
      const last = loaded?.segments[loaded.segments.length - 1];
      if (r?.kind !== 'terminal' || !first || !last) return;
      const base = `/api/v1/recordings/${r.recordingId}`;
      const target = Math.round(
        Math.min(Math.max(Number.isFinite(t) ? t : first.startMs, first.startMs), last.endMs),
      );
      const urls = [`${base}/asciicast${queryString(firstWindow(target, last.endMs))}`];
      if (target > first.startMs) urls.push(`${base}/terminal-state${queryString({ at: target })}`);
      for (const url of urls) early.set(url, quiet(request<unknown>(url, { quiet401: true })));
    })
    .catch(() => undefined);
  pending = { sessionId, wanted, session, recording, playlist };
}

/** What startPlayer began for this page, once (a later visit asks afresh). */
export function takePlayerStart(
  sessionId: string,
  wanted: string | undefined,
): PlayerStart | undefined {
  const start = pending;
  pending = undefined;
  return start && start.sessionId === sessionId && start.wanted === wanted ? start : undefined;
}
