/**
 * Who is on the other end of an accepted Unix socket connection, from the kernel, not
 * from what the peer says: the daemon looks up its own socket's inode, asks `ss -xp`
 * for the peer socket and the process holding it, and reads that process's real uid
 * from /proc (Node has no SO_PEERCRED). The uid names the session's user.
 *
 * A pid is only a name: the peer could exit and its pid go to another process between
 * `ss` and the read of /proc. So the uid counts only if the process read is the one
 * holding the peer socket: its start time (/proc/<pid>/stat) is read before the uid and
 * again after checking that /proc/<pid>/fd holds the peer socket's inode, and both must
 * be equal. A process with a reused pid has another start time, and never holds the
 * socket (a socket's inode is unique while it exists, and ours keeps it existing).
 */
import { execFile } from 'node:child_process';
import { readFile, readdir, readlink } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { promisify } from 'node:util';
import { parseStat } from '../detect/process-watcher';

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

/** From `ss -xpnH` rows: the peer socket of our socket `inode` and the pid holding it. */
export function peerFromSs(text: string, inode: number): { pid: number; inode: number } | null {
  const rows = text.split('\n').map((row) => row.trim().split(/\s+/));
  // netid state recv-q send-q local-addr local-inode peer-addr peer-inode users...
  const own = rows.find((cols) => Number(cols[5]) === inode);
  const peerInode = Number(own?.[7]);
  if (!own || !Number.isInteger(peerInode) || peerInode <= 0) return null;
  const peer = rows.find((cols) => Number(cols[5]) === peerInode);
  const pid = /pid=(\d+)/.exec(peer?.slice(8).join(' ') ?? '');
  return pid ? { pid: Number(pid[1]), inode: peerInode } : null;
}

export function peerPidFromSs(text: string, inode: number): number | null {
  return peerFromSs(text, inode)?.pid ?? null;
}

/** Start time of a process (clock ticks since boot): with the pid, it names one process. */
export async function startTimeOf(pid: number): Promise<number> {
  const stat = parseStat(await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => ''));
  if (!stat) throw new PeerError(`process ${pid} is gone`);
  return stat.startTime;
}

/** Whether process `pid` has the socket with this inode open now. */
export async function holdsSocket(pid: number, inode: number): Promise<boolean> {
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  const want = `socket:[${inode}]`;
  for (const fd of fds) {
    if ((await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')) === want) return true;
  }
  return false;
}

/**
 * The real uid of the process holding the peer socket, read so that a pid reused
 * meanwhile cannot lend its uid (see the top of this file).
 */
export async function verifiedUid(
  pid: number,
  peerInode: number,
  proc: {
    startTimeOf: (pid: number) => Promise<number>;
    uidOf: (pid: number) => Promise<number>;
    holdsSocket: (pid: number, inode: number) => Promise<boolean>;
  } = { startTimeOf, uidOf, holdsSocket },
): Promise<number> {
  const before = await proc.startTimeOf(pid);
  const uid = await proc.uidOf(pid);
  if (!(await proc.holdsSocket(pid, peerInode)))
    throw new PeerError(`process ${pid} does not hold the peer socket`);
  const after = await proc.startTimeOf(pid);
  if (after !== before) throw new PeerError(`process ${pid} was replaced while it was looked up`);
  return uid;
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
  const peer = peerFromSs(stdout, inode);
  if (peer === null) throw new PeerError('peer process not found');
  const uid = await verifiedUid(peer.pid, peer.inode);
  return { pid: peer.pid, uid, ...(await userOf(uid)) };
}
