/**
 * Disconnecting a desktop session's remote-display client, done by the root daemon.
 *
 * The client's TCP connection is held by whatever serves the display remotely: xrdp's
 * per-connection process (root or the xrdp user, connected to the session's Xorg through
 * xorgxrdp's Unix socket), x11vnc (an X client of the display), or Xvnc (the X server
 * itself). The session process runs as the user and cannot close a socket of a system
 * process, so the daemon does it, and identifies the socket from the kernel alone:
 *
 * 1. The X server of the session's display: the process listening on
 *    `/tmp/.X11-unix/X<n>` (path or abstract name), whose real uid must be the session's
 *    (the uid the kernel named for the session process). Another user's display is
 *    never touched.
 * 2. The processes serving it: the X server itself, and every process that connected to
 *    one of the X server's listening Unix sockets (`ss -xap`: the peer of each accepted
 *    connection). xrdp's process is among them, as are x11vnc and the user's X clients;
 *    the X server's own outgoing connections (D-Bus, logind) are not followed.
 * 3. Their established TCP connections served on a remote-display port (3389, 5900, 5900 +
 *    the display number, `desktop.remotePorts`): the remote-display client.
 *
 * Each such connection is then destroyed in the kernel with `ss -K` (SOCK_DESTROY,
 * CONFIG_INET_DIAG_DESTROY): the client gets a reset, the serving process an error on its
 * socket. No process is signalled, so the user's X session, its applications and xrdp's
 * session manager stay up: with xrdp the session waits for the user to connect again,
 * as after a network drop. If no connection is identified, nothing is closed.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type SshEndpoints, ssFilter } from '../detect/tcp-info';
import { splitAddress } from '../desktop/display-connection';
import { uidOf as procUidOf } from './peer';

const run = promisify(execFile);

/** One row of `ss -xapnH` (Unix sockets) or `ss -tnpH` (TCP). */
export interface SocketRow {
  readonly state: string;
  readonly local: string;
  readonly localInode: number;
  readonly peerInode: number;
  readonly pids: readonly number[];
}

const pidsOf = (text: string) => [...text.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));

/** `ss -xapnH` rows: netid state recv-q send-q local local-inode peer peer-inode [users]. */
export function parseUnixSockets(text: string): SocketRow[] {
  const rows: SocketRow[] = [];
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 8 || !cols[0]!.startsWith('u_')) continue;
    rows.push({
      state: cols[1]!,
      local: cols[4]!,
      localInode: Number(cols[5]),
      peerInode: Number(cols[7]),
      pids: pidsOf(cols.slice(8).join(' ')),
    });
  }
  return rows;
}

export interface TcpRow {
  readonly endpoints: SshEndpoints;
  readonly pids: readonly number[];
}

/** `ss -tnpH state established` rows: recv-q send-q local peer [users]. */
export function parseTcpSockets(text: string): TcpRow[] {
  const rows: TcpRow[] = [];
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 4) continue;
    const local = splitAddress(cols[2]!);
    const peer = splitAddress(cols[3]!);
    if (!local || !peer) continue;
    rows.push({
      endpoints: {
        serverIp: local.ip,
        serverPort: local.port,
        clientIp: peer.ip,
        clientPort: peer.port,
      },
      pids: pidsOf(cols.slice(4).join(' ')),
    });
  }
  return rows;
}

export interface DisplayConnectionQuery {
  /** The display number of the session (":10" is 10). */
  readonly displayNumber: number;
  /** The session's user, as the kernel named it. */
  readonly uid: number;
  /** Remote-display ports (5900 + the display number is added). */
  readonly ports: readonly number[];
}

export interface SocketSource {
  unixSockets(): Promise<string>;
  tcpSockets(): Promise<string>;
  uidOf(pid: number): Promise<number>;
}

export type Identified =
  | { readonly ok: true; readonly xServer: number; readonly connections: TcpRow[] }
  | { readonly ok: false; readonly reason: string };

const ss = async (args: string[]) =>
  (await run('ss', args, { timeout: 5000, maxBuffer: 64 * 1024 * 1024 })).stdout;

export const kernelSockets: SocketSource = {
  unixSockets: () => ss(['-xapnH']),
  tcpSockets: () => ss(['-tnpH', 'state', 'established']),
  uidOf: procUidOf,
};

/** The remote-display client connections of a display, from the kernel's socket tables. */
export async function identifyDisplayConnections(
  query: DisplayConnectionQuery,
  source: SocketSource = kernelSockets,
): Promise<Identified> {
  const n = query.displayNumber;
  const unix = parseUnixSockets(await source.unixSockets());
  const names = new Set([`/tmp/.X11-unix/X${n}`, `@/tmp/.X11-unix/X${n}`]);
  const xServers = new Set(
    unix.filter((row) => row.state === 'LISTEN' && names.has(row.local)).flatMap((row) => row.pids),
  );
  if (xServers.size !== 1) {
    return {
      ok: false,
      reason:
        xServers.size === 0
          ? `no X server listens for display :${n}`
          : `more than one process listens for display :${n}`,
    };
  }
  const [xServer] = [...xServers] as [number];
  const owner = await source.uidOf(xServer).catch(() => undefined);
  if (owner !== query.uid) {
    return {
      ok: false,
      reason: `the X server of display :${n} (pid ${xServer}) is not the session user's`,
    };
  }
  // Sockets the X server accepted on one of its listening sockets: the local name is the
  // listening socket's; the clients hold the peers.
  const listening = new Set(
    unix
      .filter((row) => row.state === 'LISTEN' && row.pids.includes(xServer) && row.local !== '*')
      .map((row) => row.local),
  );
  const accepted = new Set(
    unix
      .filter(
        (row) => row.state === 'ESTAB' && row.pids.includes(xServer) && listening.has(row.local),
      )
      .map((row) => row.peerInode),
  );
  const serving = new Set([xServer]);
  for (const row of unix) {
    if (accepted.has(row.localInode)) for (const pid of row.pids) serving.add(pid);
  }
  const ports = new Set([...query.ports, 5900 + n]);
  const connections = parseTcpSockets(await source.tcpSockets()).filter(
    (row) => ports.has(row.endpoints.serverPort) && row.pids.some((pid) => serving.has(pid)),
  );
  if (connections.length === 0) {
    return {
      ok: false,
      reason: `no remote-display connection (ports ${[...ports].join(', ')}) is held by the X server of display :${n} or a process connected to it`,
    };
  }
  return { ok: true, xServer, connections };
}

/**
 * Destroys one TCP connection in the kernel (`ss -K`, exactly its four-tuple) and checks
 * it is gone; false when it is still there (no CAP_NET_ADMIN, a kernel without
 * CONFIG_INET_DIAG_DESTROY).
 */
export async function destroyConnection(endpoints: SshEndpoints): Promise<boolean> {
  await run('ss', ['-K', '-tnH', ...ssFilter(endpoints)], { timeout: 5000 }).catch(() => undefined);
  const left = await run('ss', ['-tnH', ...ssFilter(endpoints)], { timeout: 5000 }).then(
    (out) => out.stdout.trim(),
    () => 'unknown',
  );
  return left === '';
}
