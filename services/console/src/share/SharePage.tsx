/**
 * A share link opened by anyone, signed in or not: `/share/{token}` plays only the clip
 * the token grants, from the share routes of the api (which refuse everything else).
 */
import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { errorMessage, queryString, request } from '../api/client';
import type { Segment, SharedClip } from '../api/types';
import { PlaybackView, type MediaSource } from '../player/PlaybackView';
import type { TerminalState } from '../player/terminal-playback';

export function SharePage() {
  const { token = '' } = useParams();
  const [clip, setClip] = useState<(SharedClip & { segments: Segment[] }) | undefined>();
  const [error, setError] = useState<string | undefined>();
  const base = `/api/v1/share/${encodeURIComponent(token)}`;

  useEffect(() => {
    request<SharedClip & { segments: Segment[] }>(base, { quiet401: true }).then(
      setClip,
      (err: unknown) => setError(errorMessage(err)),
    );
  }, [base]);

  if (error) {
    return (
      <main>
        <h1>Shared clip</h1>
        <p role="alert" className="error">
          {error}
        </p>
      </main>
    );
  }
  if (!clip) return <p className="loading">Loading clip…</p>;
  const source: MediaSource =
    clip.kind === 'screen'
      ? { kind: 'screen', playlistUrl: `${base}/playlist.m3u8` }
      : {
          kind: 'terminal',
          fetchCast: (from, to) =>
            request<string>(`${base}/asciicast${queryString({ from, to })}`, { quiet401: true }),
          fetchState: (at) =>
            request<TerminalState>(`${base}/terminal-state${queryString({ at })}`, {
              quiet401: true,
            }),
        };
  return (
    <main className="share-page">
      <h1>Shared clip</h1>
      <p className="muted">
        Available until {new Date(clip.expiresAt).toLocaleString()}. Only this clip can be played
        with this link.
      </p>
      <PlaybackView
        source={source}
        segments={clip.segments}
        events={[]}
        samples={[]}
        startAtMs={clip.segments[0]?.startMs ?? clip.fromMs}
        live={false}
        showFocus={false}
      />
    </main>
  );
}
