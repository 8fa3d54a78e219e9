/** An agent may touch only its own sessions and recordings: 404 if unknown, 403 if another's. */
import { AgentForbiddenError, ResourceNotFoundError } from '../http/api-errors';
import type { RecordingRow, SessionRow } from './records.repository';

export function ownSession(
  row: SessionRow | undefined,
  agentId: string,
  sessionId: string,
): SessionRow {
  if (!row) throw new ResourceNotFoundError(`session ${sessionId} is not known`);
  if (row.agent_id !== agentId) {
    throw new AgentForbiddenError(`session ${sessionId} belongs to another agent`);
  }
  return row;
}

export function ownRecording(
  row: RecordingRow | undefined,
  agentId: string,
  recordingId: string,
): RecordingRow {
  if (!row) throw new ResourceNotFoundError(`recording ${recordingId} is not known`);
  if (row.agent_id !== agentId) {
    throw new AgentForbiddenError(`recording ${recordingId} belongs to another agent`);
  }
  return row;
}
