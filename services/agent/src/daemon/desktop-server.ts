/**
 * The daemon's second local socket: desktop sessions connect here (their lines carry
 * binary screen segments, so they get their own protocol and limits, and the terminal
 * socket stays exactly as it is). Same rules as the terminal socket: 0666 in a 0755
 * directory, the kernel names each peer's user.
 */
import { chmod, mkdir, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { AgentConfig } from './config';
import { DesktopDaemonSession, type DesktopDaemonContext } from './desktop-session';

/** desktop.socket, or desktop.sock beside the terminal socket. */
export function desktopSocketPath(config: AgentConfig): string {
  return config.desktop.socket ?? path.join(path.dirname(config.socket), 'desktop.sock');
}

export interface DesktopSessionRegistry {
  ready(session: DesktopDaemonSession): void;
  gone(session: DesktopDaemonSession): void;
  connected(session: DesktopDaemonSession): void;
  disconnected(session: DesktopDaemonSession): void;
}

export async function listenForDesktops(
  socketPath: string,
  context: DesktopDaemonContext,
  registry: DesktopSessionRegistry,
): Promise<net.Server> {
  await mkdir(path.dirname(socketPath), { recursive: true, mode: 0o755 });
  await rm(socketPath, { force: true });
  const server = net.createServer((socket) => {
    const session = new DesktopDaemonSession(
      socket,
      context,
      (ready) => registry.ready(ready),
      (gone) => registry.gone(gone),
    );
    registry.connected(session);
    socket.once('close', () => registry.disconnected(session));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  await chmod(socketPath, 0o666);
  return server;
}
