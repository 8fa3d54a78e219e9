/**
 * The agents connected to this instance, one socket each: a newer connection replaces
 * the older one. Also what the connected-agents gauge reads.
 */
import { metrics, type ObservableGauge, type ObservableResult } from '@opentelemetry/api';
import type { AgentSocket } from './agent-socket';

export const CONNECTED_AGENTS_METRIC = 'sessionrec.ingest.control.connected_agents';

export class AgentRegistry {
  private readonly sockets = new Map<string, AgentSocket>();
  private readonly gauge: ObservableGauge;
  private readonly observe = (result: ObservableResult): void => result.observe(this.sockets.size);

  constructor() {
    this.gauge = metrics
      .getMeter('sessionrec-ingest')
      .createObservableGauge(CONNECTED_AGENTS_METRIC, {
        description: 'Agents with an open control WebSocket on this ingest instance',
        unit: '{agent}',
      });
    this.gauge.addCallback(this.observe);
  }

  /** Registers the socket and returns the one it replaces, if any. */
  add(socket: AgentSocket): AgentSocket | undefined {
    const previous = this.sockets.get(socket.agentId);
    this.sockets.set(socket.agentId, socket);
    return previous === socket ? undefined : previous;
  }

  /** Forgets the socket unless a newer one of the same agent already replaced it. */
  remove(socket: AgentSocket): void {
    if (this.sockets.get(socket.agentId) === socket) this.sockets.delete(socket.agentId);
  }

  get(agentId: string): AgentSocket | undefined {
    return this.sockets.get(agentId);
  }

  all(): AgentSocket[] {
    return [...this.sockets.values()];
  }

  get size(): number {
    return this.sockets.size;
  }

  dispose(): void {
    this.gauge.removeCallback(this.observe);
  }
}
