/**
 * @sessionrec/agent as a library: the simulator for benchmarks and tests, and the
 * agent's building blocks (enrolment, spool, uploader, control channel, media).
 */
export * from './simulate';
export { enrol, ensureIdentity, EnrolmentError, AGENT_VERSION } from './identity/enrol';
export {
  loadIdentity,
  saveIdentity,
  resolveStateDir,
  type StoredIdentity,
} from './identity/identity-store';
export { Spool, SpoolFullError } from './spool/spool';
export { Uploader } from './upload/uploader';
export { ControlClient } from './control/control-client';
export { DesktopFixtures, DEFAULT_DESKTOP_FIXTURES } from './media/desktop-fixtures';
export { generateShellSession, castSegment, parseAsciicast } from './media/asciicast';
export { HashChain, sha256Hex } from './media/hash-chain';
export type { SpoolItem, SpoolMeta } from './spool/spool-item';
