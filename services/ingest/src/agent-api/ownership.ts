/** An agent may touch only its own sessions and recordings: 404 if unknown, 403 if another's. */
import { AgentForbiddenError, ResourceNotFoundError } from '../http/api-errors';
import type { RecordingIdentity, SessionIdentity } from './identity-cache';

export function ownSession<T extends SessionIdentity>(
  row: T | undefined,
  agentId: string,
  sessionId: string,
): T {
  if (!row) throw new ResourceNotFoundError(`session ${sessionId} is not known`);
  if (row.agent_id !== agentId) {
    throw new AgentForbiddenError(`session ${sessionId} belongs to another agent`);
  }
  return row;
}

export function ownRecording<T extends RecordingIdentity>(
  row: T | undefined,
  agentId: string,
  recordingId: string,
): T {
  if (!row) throw new ResourceNotFoundError(`recording ${recordingId} is not known`);
  if (row.agent_id !== agentId) {
    throw new AgentForbiddenError(`recording ${recordingId} belongs to another agent`);
  }
  return row;
}
