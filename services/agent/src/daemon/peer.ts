/**
 * Who is on the other end of an accepted Unix socket connection, from the kernel, not
 * from what the peer says: the daemon looks up its own socket's inode, asks `ss -xp`
 * for the peer socket and the process holding it, and reads that process's real uid
 * from /proc (Node has no SO_PEERCRED). The uid names the session's user.
 */
import { execFile } from 'node:child_process';
import { readFile, readlink } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Peer {
  readonly pid: number;
  readonly uid: number;
  readonly user: string;
  readonly groups: string[];
}

export class PeerError extends Error {
  override readonly name = 'PeerError';
}

/** From `ss -xpnH` rows: the pid holding the socket whose peer inode is `inode`. */
export function peerPidFromSs(text: string, inode: number): number | null {
  const rows = text.split('\n').map((row) => row.trim().split(/\s+/));
  // netid state recv-q send-q local-addr local-inode peer-addr peer-inode users...
  const own = rows.find((cols) => Number(cols[5]) === inode);
  const peerInode = Number(own?.[7]);
  if (!own || !Number.isInteger(peerInode) || peerInode <= 0) return null;
  const peer = rows.find((cols) => Number(cols[5]) === peerInode);
  const pid = /pid=(\d+)/.exec(peer?.slice(8).join(' ') ?? '');
  return pid ? Number(pid[1]) : null;
}

export async function uidOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const uid = /^Uid:\s+(\d+)/m.exec(status);
  if (!uid) throw new PeerError(`no Uid in /proc/${pid}/status`);
  return Number(uid[1]);
}

export async function userOf(uid: number): Promise<{ user: string; groups: string[] }> {
  const { stdout } = await run('getent', ['passwd', String(uid)]);
  const user = stdout.split(':')[0];
  if (!user) throw new PeerError(`uid ${uid} has no passwd entry`);
  const ids = await run('id', ['-Gn', user]).catch(() => ({ stdout: '' }));
  return { user, groups: ids.stdout.trim().split(/\s+/).filter(Boolean).slice(0, 256) };
}

export async function peerOf(socket: Socket): Promise<Peer> {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (fd === undefined || fd < 0) throw new PeerError('socket has no file descriptor');
  const link = await readlink(`/proc/self/fd/${fd}`);
  const inode = Number(/^socket:\[(\d+)\]$/.exec(link)?.[1]);
  if (!inode) throw new PeerError(`fd ${fd} is not a socket`);
  const { stdout } = await run('ss', ['-xpnH'], { maxBuffer: 64 * 1024 * 1024 });
  const pid = peerPidFromSs(stdout, inode);
  if (pid === null) throw new PeerError('peer process not found');
  const uid = await uidOf(pid);
  return { pid, uid, ...(await userOf(uid)) };
}
