/**
 * Share a clip: the range selected on the timeline (or set with "start/end = now"), an
 * expiry, and a link that plays only that clip to anyone holding it, until it expires or
 * is revoked. The link's token is shown once, when it is made; the list shows every
 * share of the recording with how often it was opened.
 */
import { type FormEvent, useEffect, useState } from 'react';
import { errorMessage, request } from '../api/client';
import type { CreatedShare, Share } from '../api/types';
import type { Selection } from '../player/Timeline';
import { formatOffset } from '../search/search-query';

const EXPIRIES = [
  { label: '1 hour', ms: 3_600_000 },
  { label: '1 day', ms: 86_400_000 },
  { label: '7 days', ms: 7 * 86_400_000 },
  { label: '30 days', ms: 30 * 86_400_000 },
];

export function SharePanel({
  recordingId,
  selection,
  nowMs,
  onSelect,
  listNow = true,
}: {
  recordingId: string;
  selection: Selection | undefined;
  nowMs: number;
  onSelect: (s: Selection | undefined) => void;
  /** False while the player is still getting its first frame: the list waits for it. */
  listNow?: boolean;
}) {
  const [expiry, setExpiry] = useState(String(EXPIRIES[1]?.ms ?? 86_400_000));
  const [created, setCreated] = useState<CreatedShare | undefined>();
  const [shares, setShares] = useState<Share[]>([]);
  const [error, setError] = useState<string | undefined>();

  const [version, setVersion] = useState(0);
  const refresh = () => setVersion((v) => v + 1);

  useEffect(() => {
    if (!listNow) return;
    let alive = true;
    request<{ shares: Share[] }>(`/api/v1/recordings/${recordingId}/shares`).then(
      (reply) => alive && setShares(reply.shares),
      (err: unknown) => alive && setError(errorMessage(err)),
    );
    return () => {
      alive = false;
    };
  }, [recordingId, version, listNow]);

  async function create(e: FormEvent) {
    e.preventDefault();
    if (!selection) return;
    setError(undefined);
    try {
      const share = await request<CreatedShare>(`/api/v1/recordings/${recordingId}/shares`, {
        method: 'POST',
        body: {
          from: Math.round(selection.fromMs),
          to: Math.round(selection.toMs),
          expiresAt: new Date(Date.now() + Number(expiry)).toISOString(),
        },
      });
      setCreated(share);
      refresh();
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  async function revoke(shareId: string) {
    setError(undefined);
    try {
      await request(`/api/v1/recordings/${recordingId}/shares/${shareId}`, { method: 'DELETE' });
      refresh();
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  const link = created ? new URL(created.url, window.location.origin).toString() : undefined;
  return (
    <section className="share-panel" aria-labelledby="share-title">
      <h2 id="share-title">Share a clip</h2>
      <form onSubmit={(e) => void create(e)} className="share-form">
        <button
          type="button"
          className="secondary"
          onClick={() =>
            onSelect({ fromMs: nowMs, toMs: Math.max(nowMs, selection?.toMs ?? nowMs + 30_000) })
          }
        >
          Start here ({formatOffset(nowMs)})
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() =>
            onSelect({ fromMs: Math.min(nowMs, selection?.fromMs ?? nowMs), toMs: nowMs })
          }
        >
          End here
        </button>
        <label htmlFor="share-expiry">Expires after</label>
        <select id="share-expiry" value={expiry} onChange={(e) => setExpiry(e.target.value)}>
          {EXPIRIES.map((x) => (
            <option key={x.ms} value={x.ms}>
              {x.label}
            </option>
          ))}
        </select>
        <button type="submit" disabled={!selection || selection.toMs <= selection.fromMs}>
          Create link
        </button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {link && (
        <p className="share-link">
          <label htmlFor="share-url">Link (shown once)</label>{' '}
          <input id="share-url" readOnly value={link} size={60} data-testid="share-url" />{' '}
          <button
            type="button"
            className="secondary"
            onClick={() => void navigator.clipboard?.writeText(link)}
          >
            Copy
          </button>
        </p>
      )}
      {shares.length > 0 && (
        <table aria-label="Shares of this recording">
          <thead>
            <tr>
              <th>Clip</th>
              <th>By</th>
              <th>Expires</th>
              <th>Opened</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {shares.map((s) => (
              <tr key={s.shareId}>
                <td>
                  {formatOffset(s.fromMs)} – {formatOffset(s.toMs)}
                </td>
                <td>{s.createdBy}</td>
                <td>{new Date(s.expiresAt).toLocaleString()}</td>
                <td>{s.opens}</td>
                <td>
                  {s.revokedAt ? (
                    <span className="muted">revoked</span>
                  ) : (
                    <button type="button" className="danger" onClick={() => void revoke(s.shareId)}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
