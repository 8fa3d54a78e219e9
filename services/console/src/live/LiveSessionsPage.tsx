/**
 * Sessions in progress (started in the last day and not ended), refreshed every few
 * seconds, each with its actions: start or stop recording, lock, disconnect, log off, and
 * a message to the user. Each button says what it sent or why the api refused.
 */
import { type FormEvent, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { errorMessage, request } from '../api/client';
import type { SearchReply, SearchResult } from '../api/types';

const REFRESH_MS = 5000;
const WINDOW_MS = 24 * 3_600_000;

type Action =
  | { path: 'recording'; body: { action: 'start' | 'stop' } }
  | {
      path: 'actions';
      body: { action: 'lock' | 'disconnect' | 'logoff' | 'notify'; message?: string };
    };

function SessionRow({ session }: { session: SearchResult }) {
  const [status, setStatus] = useState<string | undefined>();
  const [message, setMessage] = useState('');
  const messageId = `message-${session.sessionId}`;

  async function send(action: Action, label: string) {
    setStatus(`${label}…`);
    try {
      await request(`/api/v1/sessions/${session.sessionId}/${action.path}`, {
        method: 'POST',
        body: action.body,
      });
      setStatus(`${label}: sent to the agent`);
    } catch (err) {
      setStatus(`${label}: ${errorMessage(err)}`);
    }
  }

  function notify(e: FormEvent) {
    e.preventDefault();
    void send({ path: 'actions', body: { action: 'notify', message } }, 'Message').then(() =>
      setMessage(''),
    );
  }

  const recording = session.recordings.some((r) => !r.stoppedAt);
  return (
    <tr data-session={session.sessionId}>
      <td>
        <Link to={`/sessions/${session.sessionId}`}>{session.user ?? 'unknown'}</Link>
      </td>
      <td>{session.host ?? 'unknown'}</td>
      <td>{session.protocol ?? ''}</td>
      <td>{new Date(session.startedAt).toLocaleTimeString()}</td>
      <td>{recording ? 'recording' : 'not recorded'}</td>
      <td className="actions">
        <div
          className="button-row"
          role="group"
          aria-label={`Actions for ${session.user ?? 'session'}`}
        >
          <button
            type="button"
            className="secondary"
            onClick={() =>
              void send(
                { path: 'recording', body: { action: recording ? 'stop' : 'start' } },
                recording ? 'Stop recording' : 'Start recording',
              )
            }
          >
            {recording ? 'Stop recording' : 'Start recording'}
          </button>
          <button
            type="button"
            className="secondary"
            onClick={() => void send({ path: 'actions', body: { action: 'lock' } }, 'Lock')}
          >
            Lock
          </button>
          <button
            type="button"
            className="danger"
            onClick={() =>
              void send({ path: 'actions', body: { action: 'disconnect' } }, 'Disconnect')
            }
          >
            Disconnect
          </button>
          <button
            type="button"
            className="danger"
            onClick={() => void send({ path: 'actions', body: { action: 'logoff' } }, 'Log off')}
          >
            Log off
          </button>
        </div>
        <form className="button-row" onSubmit={notify}>
          <label htmlFor={messageId} className="visually-hidden">
            Message to {session.user ?? 'the user'}
          </label>
          <input
            id={messageId}
            placeholder="Message to the user"
            value={message}
            maxLength={1000}
            onChange={(e) => setMessage(e.target.value)}
          />
          <button type="submit" disabled={!message.trim()}>
            Send
          </button>
        </form>
        {status && (
          <p className="muted" role="status">
            {status}
          </p>
        )}
      </td>
    </tr>
  );
}

export function LiveSessionsPage() {
  const [sessions, setSessions] = useState<SearchResult[] | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    let alive = true;
    const load = () =>
      request<SearchReply>(
        `/api/v1/sessions?limit=100&from=${encodeURIComponent(new Date(Date.now() - WINDOW_MS).toISOString())}`,
      ).then(
        (reply) => {
          if (!alive) return;
          setSessions(reply.sessions.filter((s) => !s.endedAt));
          setError(undefined);
        },
        (err: unknown) => alive && setError(errorMessage(err)),
      );
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, []);

  return (
    <main>
      <h1>Live sessions</h1>
      <p className="muted">Sessions started in the last 24 hours that have not ended.</p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {sessions && sessions.length === 0 && <p>No session is in progress.</p>}
      {sessions && sessions.length > 0 && (
        <table aria-label="Live sessions">
          <thead>
            <tr>
              <th>User</th>
              <th>Host</th>
              <th>Kind</th>
              <th>Started</th>
              <th>Recording</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <SessionRow key={s.sessionId} session={s} />
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
