/**
 * Sessions in progress (`GET /sessions?open=true`: not ended; the indexer ends a silent
 * host's sessions after its timeout), refreshed every few seconds, each with the host's
 * last contact and its actions: start or stop recording, lock, disconnect, log off, and a
 * message to the user. Each action is followed to the agent's answer (acked, failed or
 * timed out), or says why the api refused it.
 */
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { errorMessage, queryString, request } from '../api/client';
import type { CommandStatus, SearchReply, SearchResult } from '../api/types';
import { describeCommand, followCommand } from './command-status';

const REFRESH_MS = 5000;
/** Pages of 100 read per refresh; beyond that the page says there are more. */
const MAX_PAGES = 5;

function ago(iso: string | undefined, now: number): string {
  if (!iso) return 'unknown';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ago`;
}

type Action =
  | { path: 'recording'; body: { action: 'start' | 'stop' } }
  | {
      path: 'actions';
      body: { action: 'lock' | 'disconnect' | 'logoff' | 'notify'; message?: string };
    };

function SessionRow({ session, now }: { session: SearchResult; now: number }) {
  const [status, setStatus] = useState<{ text: string; state: string } | undefined>();
  const [message, setMessage] = useState('');
  const messageId = `message-${session.sessionId}`;
  // The command being followed; a newer one (or leaving the page) stops following the old.
  const following = useRef(0);
  useEffect(() => () => void (following.current = -1), []);

  async function send(action: Action, label: string) {
    const mine = ++following.current;
    setStatus({ text: `${label}…`, state: 'sending' });
    try {
      const base = `/api/v1/sessions/${session.sessionId}`;
      const { commandId } = await request<{ commandId: string }>(`${base}/${action.path}`, {
        method: 'POST',
        body: action.body,
      });
      const final = await followCommand(
        () => request<CommandStatus>(`${base}/commands/${commandId}`),
        (s) =>
          mine === following.current &&
          setStatus({ text: describeCommand(label, s), state: s.status }),
        undefined,
        () => mine !== following.current,
      );
      // The agent has started or stopped recording; the catalogue lists a new recording only
      // once its first segment arrives, so until it agrees the row says what the agent did.
      if (final?.status === 'acked' && action.path === 'recording') {
        setAgentSays(action.body.action === 'start');
      }
    } catch (err) {
      if (mine === following.current) {
        setStatus({ text: `${label}: ${errorMessage(err)}`, state: 'error' });
      }
    }
  }

  function notify(e: FormEvent) {
    e.preventDefault();
    void send({ path: 'actions', body: { action: 'notify', message } }, 'Message').then(() =>
      setMessage(''),
    );
  }

  const catalogued = session.recordings.some((r) => !r.stoppedAt);
  const [agentSays, setAgentSays] = useState<boolean | undefined>();
  // Once the catalogue agrees with the agent, it is the one to follow again.
  useEffect(() => {
    if (agentSays === catalogued) setAgentSays(undefined);
  }, [agentSays, catalogued]);
  const recording = agentSays ?? catalogued;
  return (
    <tr data-session={session.sessionId}>
      <td>
        <Link to={`/sessions/${session.sessionId}`}>{session.user ?? 'unknown'}</Link>
      </td>
      <td>{session.host ?? 'unknown'}</td>
      <td>{session.protocol ?? ''}</td>
      <td>{new Date(session.startedAt).toLocaleTimeString()}</td>
      <td>{ago(session.lastActivityAt, now)}</td>
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
        <p className="muted command-status" role="status" data-state={status?.state}>
          {status?.text}
        </p>
      </td>
    </tr>
  );
}

export function LiveSessionsPage() {
  const [sessions, setSessions] = useState<SearchResult[] | undefined>();
  const [more, setMore] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    let alive = true;
    const load = async () => {
      const found: SearchResult[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < MAX_PAGES; page++) {
        const reply: SearchReply = await request<SearchReply>(
          `/api/v1/sessions${queryString({ open: 'true', limit: 100, cursor })}`,
        );
        found.push(...reply.sessions);
        cursor = reply.nextCursor;
        if (!cursor) break;
      }
      return { found, more: cursor !== null };
    };
    const refresh = () =>
      load().then(
        (result) => {
          if (!alive) return;
          setSessions(result.found);
          setMore(result.more);
          setNow(Date.now());
          setError(undefined);
        },
        (err: unknown) => alive && setError(errorMessage(err)),
      );
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, []);

  return (
    <main>
      <h1>Live sessions</h1>
      <p className="muted">
        Sessions in progress. A host that stops reporting has its sessions ended after the
        catalogue's silence timeout (15 minutes by default); until then its last contact shows how
        long it has been quiet.
      </p>
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
              <th>Last contact</th>
              <th>Recording</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <SessionRow key={s.sessionId} session={s} now={now} />
            ))}
          </tbody>
        </table>
      )}
      {more && (
        <p className="muted">
          Only the newest {MAX_PAGES * 100} are listed; search narrows them down.
        </p>
      )}
    </main>
  );
}
