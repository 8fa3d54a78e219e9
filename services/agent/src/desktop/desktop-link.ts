/**
 * The desktop session's connection to the daemon (its desktop socket): the local-session
 * link (`daemon/local-link.ts`) with the desktop protocol (`daemon/desktop-wire.ts`), whose
 * lines carry screen segments, so more is kept while the daemon is away.
 */
import {
  DaemonRefusedError,
  DaemonUnavailableError,
  type LinkProtocol,
  LocalLink,
} from '../daemon/local-link';
import {
  type DesktopDaemonMessage,
  type DesktopMessage,
  MAX_DESKTOP_LINE_BYTES,
  desktopDaemonMessage,
} from '../daemon/desktop-wire';

export type DesktopWelcome = Extract<DesktopDaemonMessage, { t: 'welcome' }>;

export class DesktopRefusedError extends DaemonRefusedError {
  override readonly name = 'DesktopRefusedError';
}
export class DesktopDaemonUnavailableError extends DaemonUnavailableError {
  override readonly name = 'DesktopDaemonUnavailableError';
}

const DESKTOP_LINK: LinkProtocol<DesktopDaemonMessage> = {
  incoming: desktopDaemonMessage,
  maxLineBytes: MAX_DESKTOP_LINE_BYTES,
  // What is kept while the daemon is away; past it, segments are dropped (and counted).
  maxKeptBytes: 256 * 1024 * 1024,
  resumeTimeoutMs: 15_000,
  closeTimeoutMs: 20_000,
  refused: DesktopRefusedError,
  unavailable: DesktopDaemonUnavailableError,
};

export type DesktopLink = LocalLink<DesktopMessage, DesktopDaemonMessage, DesktopWelcome>;

export const DesktopLink = {
  open: (
    socketPath: string,
    hello: Extract<DesktopMessage, { t: 'hello' }>,
    timeoutMs = 30_000,
  ): Promise<DesktopLink> =>
    LocalLink.open<DesktopMessage, DesktopDaemonMessage, DesktopWelcome>(
      DESKTOP_LINK,
      socketPath,
      hello,
      timeoutMs,
    ),
};
