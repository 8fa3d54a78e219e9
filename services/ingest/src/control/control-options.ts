/**
 * The limits and clocks of the control channel in one place, so the gateway, the socket
 * and the command tracker agree on them and the documentation has one table to mirror.
 */
export const CONTROL_PATH = '/agent/v1/control';

/** WebSocket close codes ingest sends; agents decide from them whether to reconnect. */
export const CLOSE_CODES = {
  /** Ingest is shutting down: reconnect (to another replica) at once. */
  goingAway: 1001,
  /** The agent sent a frame that is not a valid agentFrame (or a binary frame). */
  policyViolation: 1008,
  /** A frame larger than maxPayloadBytes (sent by the ws library itself). */
  messageTooBig: 1009,
  /** The commands waiting for the agent could not be read from NATS: reconnect later. */
  tryAgainLater: 1013,
  /** A newer connection of the same agent took over this one: do not reconnect from here. */
  replaced: 4000,
  /** The agent's credential was revoked: stop; reconnecting is refused with 401. */
  revoked: 4401,
  /** Nothing arrived from the agent within idleTimeoutMs (missed pongs). */
  idleTimeout: 4408,
} as const;

export interface ControlOptions {
  /** Largest frame an agent may send; bigger ones close the socket with 1009. */
  readonly maxPayloadBytes: number;
  /** How often ingest sends a `ping` frame. */
  readonly pingIntervalMs: number;
  /** A socket with no frame from its agent for this long is closed with 4408. */
  readonly idleTimeoutMs: number;
  /** How far back a (re)connecting agent's commands are replayed from the CONTROL stream. */
  readonly replayWindowMs: number;
  /** How often unanswered commands are checked against their expiresAt. */
  readonly sweepIntervalMs: number;
  /** Commands tracked at once per instance; the oldest are forgotten beyond this. */
  readonly maxTrackedCommands: number;
  /** Wait for a closing socket's handshake before the TCP connection is cut. */
  readonly closeGraceMs: number;
}

export const DEFAULT_CONTROL_OPTIONS: ControlOptions = {
  maxPayloadBytes: 64 * 1024,
  pingIntervalMs: 20_000,
  idleTimeoutMs: 60_000,
  replayWindowMs: 60 * 60 * 1000,
  sweepIntervalMs: 500,
  maxTrackedCommands: 100_000,
  closeGraceMs: 2_000,
};

export const CONTROL_OPTIONS = Symbol('CONTROL_OPTIONS');
