/**
 * `sessionrec-agent desktop`: started inside the user's X session (~/.xsession, xrdp's
 * startwm.sh, or XDG autostart), as the user. It opens the display, says hello to the
 * daemon on its desktop socket (the daemon learns the user from the kernel), then runs
 * the session until the display closes, the process is told to stop, or an administrator
 * logs it off. If the daemon cannot be reached the session goes on unrecorded and the
 * user is told.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../daemon/config';
import { desktopSocketPath } from '../daemon/desktop-server';
import { ScreenCapture } from './capture';
import { DesktopLink } from './desktop-link';
import { runDesktopSession } from './desktop-session';
import { findDisplayConnection } from './display-connection';
import { showNotice } from './notice';
import { XConnection } from './x11/x-connection';
import { displayNumber } from './x11/x11-text';

export interface RunDesktopOptions {
  readonly configPath: string;
  /** The X display; default $DISPLAY. */
  readonly display?: string;
  readonly env: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
  readonly signal?: AbortSignal;
}

export async function runDesktop(options: RunDesktopOptions): Promise<string> {
  const { env, log } = options;
  const config = await loadConfig(options.configPath);
  const display = options.display ?? env.DISPLAY;
  if (!display || displayNumber(display) === undefined) {
    throw new Error('no X display: set DISPLAY or pass --display');
  }
  const x = await XConnection.open(display, log);
  const ports = [...config.desktop.remotePorts, 5900 + displayNumber(display)!];
  const remote = await findDisplayConnection(display, env, ports);
  let link: DesktopLink;
  try {
    link = await DesktopLink.open(desktopSocketPath(config), {
      t: 'hello',
      v: 1,
      pid: process.pid,
      display,
      width: x.size.width,
      height: x.size.height,
      ...(remote ? { clientAddress: remote.clientIp } : {}),
    });
  } catch (error) {
    x.close();
    showNotice(
      display,
      `Session recording could not start: ${(error as Error).message}. This session is not recorded.`,
    );
    throw error;
  }
  const welcome = link.welcome;
  log(`desktop session ${welcome.sessionId} of ${welcome.user} on ${display}`);
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'sessionrec-desktop-'));
  try {
    return await runDesktopSession({
      link,
      display,
      x,
      config,
      env,
      workDir,
      log,
      ...(options.signal ? { signal: options.signal } : {}),
      capture: (clock) => (settings) =>
        new ScreenCapture({
          display,
          frameRate: settings.frameRate,
          quality: settings.quality,
          segmentSeconds: welcome.segmentSeconds,
          workDir,
          clock,
          log,
        }),
    });
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
