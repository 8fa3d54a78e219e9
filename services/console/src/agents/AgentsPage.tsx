/**
 * Agents and enrolment tokens: the enrolled session hosts (revoked ones marked), a form
 * that creates a one-time enrolment token — shown once, here, with the command that uses
 * it — and a revoke button per agent (ingest refuses a revoked agent at once).
 */
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { errorMessage, request } from '../api/client';

interface Agent {
  agentId: string;
  hostname: string;
  os: string;
  agentVersion: string;
  enrolledAt: string;
  revokedAt?: string;
  revokedBy?: string;
}

interface CreatedToken {
  tokenId: string;
  token: string;
  expiresAt: string;
}

/** Where agents reach ingest: this host on ingest's default port, unless deployed otherwise. */
function ingestHint(): string {
  return `${window.location.protocol}//${window.location.hostname}:8081`;
}

const EXPIRY_CHOICES = [
  { label: '1 hour', seconds: 3600 },
  { label: '1 day', seconds: 86_400 },
  { label: '7 days', seconds: 7 * 86_400 },
];

function TokenForm({ onCreated }: { onCreated: () => void }) {
  const [expires, setExpires] = useState(EXPIRY_CHOICES[0]!.seconds);
  const [note, setNote] = useState('');
  const [created, setCreated] = useState<CreatedToken | undefined>();
  const [error, setError] = useState<string | undefined>();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    try {
      const token = await request<CreatedToken>('/api/v1/agents/enrol-tokens', {
        method: 'POST',
        body: { expiresInSeconds: expires, ...(note.trim() ? { note: note.trim() } : {}) },
      });
      setCreated(token);
      setNote('');
      onCreated();
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  return (
    <section aria-labelledby="enrol-heading">
      <h2 id="enrol-heading">Enrol a session host</h2>
      <form className="button-row" onSubmit={(e) => void submit(e)}>
        <label>
          Valid for{' '}
          <select value={expires} onChange={(e) => setExpires(Number(e.target.value))}>
            {EXPIRY_CHOICES.map((c) => (
              <option key={c.seconds} value={c.seconds}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Note <input value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} />
        </label>
        <button type="submit">Create enrolment token</button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {created && (
        <div role="status" className="token">
          <p>
            One-time token, valid until {new Date(created.expiresAt).toLocaleString()}. It is shown
            only now:
          </p>
          <pre data-testid="enrol-token">{created.token}</pre>
          <p className="muted">
            On the host: sessionrec-agent enrol --ingest {ingestHint()} --token {created.token}
          </p>
        </div>
      )}
    </section>
  );
}

function AgentRow({ agent, onRevoked }: { agent: Agent; onRevoked: () => void }) {
  const [status, setStatus] = useState<string | undefined>();

  async function revoke() {
    if (!window.confirm(`Revoke ${agent.hostname}? It is refused at once.`)) return;
    try {
      await request(`/api/v1/agents/${agent.agentId}/revoke`, { method: 'POST', body: {} });
      onRevoked();
    } catch (err) {
      setStatus(errorMessage(err));
    }
  }

  return (
    <tr data-agent={agent.agentId}>
      <td>{agent.hostname}</td>
      <td>{agent.os}</td>
      <td>{agent.agentVersion}</td>
      <td>{new Date(agent.enrolledAt).toLocaleString()}</td>
      <td>
        {agent.revokedAt
          ? `revoked ${new Date(agent.revokedAt).toLocaleString()} by ${agent.revokedBy ?? '?'}`
          : 'active'}
      </td>
      <td>
        {!agent.revokedAt && (
          <button type="button" className="danger" onClick={() => void revoke()}>
            Revoke {agent.hostname}
          </button>
        )}
        {status && (
          <p className="error" role="alert">
            {status}
          </p>
        )}
      </td>
    </tr>
  );
}

export function AgentsPage() {
  const [agents, setAgents] = useState<Agent[] | undefined>();
  const [error, setError] = useState<string | undefined>();

  const load = useCallback(() => {
    request<{ agents: Agent[] }>('/api/v1/agents').then(
      (reply) => {
        setAgents(reply.agents);
        setError(undefined);
      },
      (err: unknown) => setError(errorMessage(err)),
    );
  }, []);

  useEffect(() => load(), [load]);

  return (
    <main>
      <h1>Agents</h1>
      <TokenForm onCreated={load} />
      <h2>Enrolled hosts</h2>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {agents && agents.length === 0 && <p>No host is enrolled yet.</p>}
      {agents && agents.length > 0 && (
        <table aria-label="Agents">
          <thead>
            <tr>
              <th>Host</th>
              <th>OS</th>
              <th>Agent</th>
              <th>Enrolled</th>
              <th>State</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {agents.map((a) => (
              <AgentRow key={a.agentId} agent={a} onRevoked={load} />
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
