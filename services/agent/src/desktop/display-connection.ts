/**
 * The user's own connection to this desktop: the TCP socket an RDP (xrdp, 3389) or VNC
 * (5900 + display number) server holds for the client, or for X forwarding the SSH
 * connection named by $SSH_CONNECTION. Its network quality comes from the kernel's TCP
 * statistics of that socket (TCP_INFO through `ss -tin`, as for terminal sessions).
 */
import { execFile } from 'node:child_process';
import { type SshEndpoints, parseSshConnection, ssFilter } from '../detect/tcp-info';

/** "addr:port" as ss prints it ("[::1]:3389", "::ffff:10.0.0.5:3389", "10.0.0.5:3389"). */
export function splitAddress(text: string): { ip: string; port: number } | null {
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return null;
  let ip = text.slice(0, colon);
  const port = Number(text.slice(colon + 1));
  if (!Number.isInteger(port) || port < 1 || port > 65535) return null;
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  ip = ip.replace(/%.*$/, '').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
  return /^[0-9a-fA-F.:]+$/.test(ip) ? { ip, port } : null;
}

/** From `ss -tnH state established` rows: the first connection served on one of `ports`. */
export function findServedConnection(text: string, ports: readonly number[]): SshEndpoints | null {
  for (const row of text.split('\n')) {
    const cols = row.trim().split(/\s+/);
    // recv-q send-q local peer [process]
    if (cols.length < 4) continue;
    const local = splitAddress(cols[2]!);
    const peer = splitAddress(cols[3]!);
    if (!local || !peer || !ports.includes(local.port)) continue;
    return {
      serverIp: local.ip,
      serverPort: local.port,
      clientIp: peer.ip,
      clientPort: peer.port,
    };
  }
  return null;
}

/**
 * The display's remote connection: X forwarding over SSH when DISPLAY names an SSH
 * forwarded display (localhost:10 and $SSH_CONNECTION set), else an RDP/VNC server's.
 */
export function findDisplayConnection(
  display: string,
  env: NodeJS.ProcessEnv,
  ports: readonly number[],
): Promise<SshEndpoints | null> {
  if (/^localhost:/.test(display) && env.SSH_CONNECTION) {
    return Promise.resolve(parseSshConnection(env.SSH_CONNECTION));
  }
  return new Promise((resolve) => {
    execFile('ss', ['-tnH', 'state', 'established'], { timeout: 2000 }, (error, stdout) =>
      resolve(error ? null : findServedConnection(stdout, ports)),
    );
  });
}

/** The pid holding the server side of a connection, when `ss -p` may show it (own processes). */
export function connectionOwner(endpoints: SshEndpoints): Promise<number | null> {
  return new Promise((resolve) => {
    execFile('ss', ['-tnpH', ...ssFilter(endpoints)], { timeout: 2000 }, (error, stdout) => {
      const pid = /pid=(\d+)/.exec(error ? '' : stdout);
      resolve(pid ? Number(pid[1]) : null);
    });
  });
}
