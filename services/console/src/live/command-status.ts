/**
 * Sends a command to a running session's agent and follows it to the agent's answer: the
 * api accepts it (202 with a commandId), then `GET /sessions/{id}/commands/{commandId}`
 * says `sent` until the agent acked or failed it, or it timed out.
 */
import type { CommandStatus } from '../api/types';

export const POLL_MS = 1000;
/** The api reports a command timed out a little after its 60 s expiry; stop asking after that. */
export const MAX_POLLS = 90;

/** The sentence the live view shows for a command's state. */
export function describeCommand(label: string, status: CommandStatus): string {
  const detail = status.detail ? ` (${status.detail})` : '';
  switch (status.status) {
    case 'sent':
      return `${label}: sent, waiting for the agent…`;
    case 'acked':
      return `${label}: done by the agent${detail}`;
    case 'failed':
      return `${label}: the agent could not do it${detail}`;
    case 'timed-out':
      return `${label}: no answer from the agent in time${detail}`;
  }
}

export async function followCommand(
  fetchStatus: () => Promise<CommandStatus>,
  onStatus: (status: CommandStatus) => void,
  wait: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  isCancelled: () => boolean = () => false,
): Promise<CommandStatus | undefined> {
  for (let i = 0; i < MAX_POLLS && !isCancelled(); i++) {
    const status = await fetchStatus();
    onStatus(status);
    if (status.status !== 'sent') return status;
    await wait(POLL_MS);
  }
  return undefined;
}
