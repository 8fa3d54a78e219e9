/**
 * The terminal wrapper's connection to the daemon: the local-session link
 * (`daemon/local-link.ts`) with the terminal protocol (`daemon/wire.ts`).
 */
import {
  DaemonRefusedError,
  DaemonUnavailableError,
  type LinkProtocol,
  LocalLink,
} from '../daemon/local-link';
import { type DaemonMessage, type WrapperMessage, daemonMessage } from '../daemon/wire';

export { DaemonRefusedError, DaemonUnavailableError };

export type Welcome = Extract<DaemonMessage, { t: 'welcome' }>;

const TERMINAL_LINK: LinkProtocol<DaemonMessage> = {
  incoming: daemonMessage,
  // What is kept while the daemon is away; past it, recorded output is dropped (and said).
  maxKeptBytes: 64 * 1024 * 1024,
  resumeTimeoutMs: 5000,
  closeTimeoutMs: 10_000,
  refused: DaemonRefusedError,
  unavailable: DaemonUnavailableError,
};

export type DaemonLink = LocalLink<WrapperMessage, DaemonMessage, Welcome>;

export const DaemonLink = {
  open: (
    socketPath: string,
    hello: Extract<WrapperMessage, { t: 'hello' }>,
    timeoutMs = 15_000,
  ): Promise<DaemonLink> =>
    LocalLink.open<WrapperMessage, DaemonMessage, Welcome>(
      TERMINAL_LINK,
      socketPath,
      hello,
      timeoutMs,
    ),
};
