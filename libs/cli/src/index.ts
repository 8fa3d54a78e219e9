/**
 * The operator CLI as a library: the launcher and the commands, for tests and for other
 * tools that want to run the platform (the `sessionrec` binary is main.ts).
 */
export { buildProgram, type ProgramIo } from './program';
export { migrate } from './migrate';
export {
  readDatabaseUrl,
  readLauncherEnv,
  SERVICE_NAMES,
  type LauncherEnv,
  type NatsTarget,
} from './environment';
export { repoRoot } from './paths';
export {
  startPlatform,
  type SignalSource,
  type StartPlatformOptions,
} from './start/start-platform';
export { defaultServices, localBaseUrl, type ServiceSpec } from './start/services';
export { platformOptions } from './start/from-env';
export { checkNats, checkPostgres } from './start/dependencies';
export { jetStreamHint, natsHint, postgresHint, postgresRefusedHint } from './start/hints';
export { DependencyUnavailableError, ServiceEntryMissingError } from './start/errors';
export { probeReady, type ProbeResult } from './start/ready-probe';
export { describeExit, ServiceChild, type ChildExit, type Write } from './start/child';
