/**
 * Search: filters for user, host, application, event type, time range and free text, kept
 * in the URL; results list each session with the events that matched, each a link
 * straight to that moment in the player.
 */
import { type FormEvent, useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { EVENT_TYPES } from '../../../../libs/contracts/src/event-types';
import { errorMessage, request } from '../api/client';
import type { FacetCount, SearchReply, SearchResult } from '../api/types';
import {
  apiSearchParams,
  filtersFromUrl,
  filtersToUrl,
  formatOffset,
  isoToLocalInput,
  localInputToIso,
  type SearchFilters,
} from './search-query';

const EVENT_TYPE_NAMES = Object.keys(EVENT_TYPES);

function playerLink(sessionId: string, recordingId?: string, offsetMs?: number): string {
  const search = new URLSearchParams();
  if (recordingId) search.set('recording', recordingId);
  if (offsetMs !== undefined) search.set('t', String(offsetMs));
  const text = search.toString();
  return `/sessions/${sessionId}${text ? `?${text}` : ''}`;
}

function Facet({
  title,
  values,
  filterKey,
  filters,
}: {
  title: string;
  values: FacetCount[];
  filterKey: keyof SearchFilters;
  filters: SearchFilters;
}) {
  if (values.length === 0) return null;
  return (
    <section className="facet" aria-label={title}>
      <h3>{title}</h3>
      <ul>
        {values.map((f) => (
          <li key={f.value}>
            <Link to={`/search?${filtersToUrl({ ...filters, [filterKey]: f.value }).toString()}`}>
              {f.value}
            </Link>{' '}
            <span className="count">{f.count}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function ResultRow({ session }: { session: SearchResult }) {
  const first = session.recordings[0];
  return (
    <li className="result" data-session={session.sessionId}>
      <div className="result-head">
        <Link to={playerLink(session.sessionId, first?.recordingId)}>
          <strong>{session.user ?? 'unknown user'}</strong> on {session.host ?? 'unknown host'}
        </Link>
        <span className="muted">
          {new Date(session.startedAt).toLocaleString()}
          {session.endedAt ? '' : ' · live'} · {session.protocol ?? ''} ·{' '}
          {session.recordings.map((r) => r.kind).join(', ') || 'not recorded'}
        </span>
      </div>
      {session.matches.length > 0 && (
        <ul className="matches" aria-label="Matching events">
          {session.matches.map((m) => (
            <li key={m.kind === 'terminal-output' ? `${m.recordingId}@${m.offsetMs}` : m.eventId}>
              <Link
                to={playerLink(session.sessionId, m.recordingId ?? first?.recordingId, m.offsetMs)}
              >
                {m.kind === 'terminal-output' ? (
                  <span className="event-type type-terminal">terminal output</span>
                ) : (
                  <span className={`event-type type-${m.type.split('.')[0]}`}>{m.type}</span>
                )}{' '}
                <span className="offset">{formatOffset(m.offsetMs)}</span>{' '}
                {m.snippet && <span className="snippet">{m.snippet}</span>}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

interface Loaded {
  key: string;
  reply?: SearchReply;
  error?: string;
}

/** The filter form; remounted (key) when the URL changes so it shows the URL's filters. */
function FilterForm({
  initial,
  onSearch,
}: {
  initial: SearchFilters;
  onSearch: (filters: SearchFilters) => void;
}) {
  const [form, setForm] = useState<SearchFilters>(initial);

  function submit(e: FormEvent) {
    e.preventDefault();
    onSearch(form);
  }

  const field = (name: keyof SearchFilters, label: string, extra: object = {}) => (
    <div className="field">
      <label htmlFor={`f-${name}`}>{label}</label>
      <input
        id={`f-${name}`}
        name={name}
        value={form[name] ?? ''}
        onChange={(e) => setForm({ ...form, [name]: e.target.value })}
        {...extra}
      />
    </div>
  );

  return (
    <form className="filters" onSubmit={submit} role="search">
      {field('q', 'Text', { type: 'search', placeholder: 'window title, command, file…' })}
      {field('user', 'User')}
      {field('host', 'Host')}
      {field('app', 'Application')}
      {field('event', 'Event type', { list: 'event-types' })}
      <datalist id="event-types">
        {EVENT_TYPE_NAMES.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
      <div className="field">
        <label htmlFor="f-from">From</label>
        <input
          id="f-from"
          type="datetime-local"
          value={isoToLocalInput(form.from)}
          onChange={(e) => setForm({ ...form, from: localInputToIso(e.target.value) ?? '' })}
        />
      </div>
      <div className="field">
        <label htmlFor="f-to">To</label>
        <input
          id="f-to"
          type="datetime-local"
          value={isoToLocalInput(form.to)}
          onChange={(e) => setForm({ ...form, to: localInputToIso(e.target.value) ?? '' })}
        />
      </div>
      <div className="field actions">
        <button type="submit">Search</button>
        <button type="button" className="secondary" onClick={() => onSearch({})}>
          Clear
        </button>
      </div>
    </form>
  );
}

export function SearchPage() {
  const [params, setParams] = useSearchParams();
  const filters = filtersFromUrl(params);
  const key = filtersToUrl(filters).toString();
  const [loaded, setLoaded] = useState<Loaded | undefined>();
  const [more, setMore] = useState<{
    key: string;
    sessions: SearchResult[];
    cursor: string | null;
  }>();
  const [moreError, setMoreError] = useState<string | undefined>();

  useEffect(() => {
    const abort = new AbortController();
    const current = filtersFromUrl(new URLSearchParams(key));
    request<SearchReply>(`/api/v1/sessions?${apiSearchParams(current)}`, { signal: abort.signal })
      .then((reply) => setLoaded({ key, reply }))
      .catch((err: unknown) => {
        if (!abort.signal.aborted) setLoaded({ key, error: errorMessage(err) });
      });
    return () => abort.abort();
  }, [key]);

  const current = loaded?.key === key ? loaded : undefined;
  const reply = current?.reply;
  const extra = more?.key === key ? more : undefined;
  const cursor = extra ? extra.cursor : (reply?.nextCursor ?? null);
  const error = current?.error ?? moreError;

  async function loadMore() {
    if (!cursor) return;
    try {
      const next = await request<SearchReply>(
        `/api/v1/sessions?${apiSearchParams(filters, cursor)}`,
      );
      setMore({
        key,
        sessions: [...(extra?.sessions ?? []), ...next.sessions],
        cursor: next.nextCursor,
      });
    } catch (err) {
      setMoreError(errorMessage(err));
    }
  }

  const sessions = [...(reply?.sessions ?? []), ...(extra?.sessions ?? [])];
  return (
    <main className="search-page">
      <h1>Search sessions</h1>
      <FilterForm key={key} initial={filters} onSearch={(f) => setParams(filtersToUrl(f))} />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="search-body">
        <aside className="facets" aria-label="Refine">
          {reply && (
            <>
              {reply.facetsPartial && (
                <p className="hint">
                  Counts of the sessions on this page (too many results to count).
                </p>
              )}
              <Facet title="Users" values={reply.facets.users} filterKey="user" filters={filters} />
              <Facet title="Hosts" values={reply.facets.hosts} filterKey="host" filters={filters} />
              <Facet
                title="Applications"
                values={reply.facets.apps}
                filterKey="app"
                filters={filters}
              />
              <Facet
                title="Event types"
                values={reply.facets.eventTypes}
                filterKey="event"
                filters={filters}
              />
            </>
          )}
        </aside>
        <section className="results" aria-live="polite" aria-busy={!current}>
          {!current && <p>Searching…</p>}
          {reply && sessions.length === 0 && <p>No sessions match.</p>}
          <ul aria-label="Sessions">
            {sessions.map((s) => (
              <ResultRow key={s.sessionId} session={s} />
            ))}
          </ul>
          {cursor && (
            <button type="button" onClick={() => void loadMore()}>
              More results
            </button>
          )}
        </section>
      </div>
    </main>
  );
}
