import { spawn } from 'node:child_process';
import { mkdtemp, readlink, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PeerError, holdsSocket, peerFromSs, peerOf, startTimeOf, verifiedUid } from './peer';

describe("the peer's uid, safe from a reused pid", () => {
  const proc = (over: Partial<Parameters<typeof verifiedUid>[2]> = {}) => ({
    startTimeOf: () => Promise.resolve(100),
    uidOf: () => Promise.resolve(1000),
    holdsSocket: () => Promise.resolve(true),
    ...over,
  });

  it('takes the uid of the process that holds the peer socket', async () => {
    await expect(verifiedUid(42, 7, proc())).resolves.toBe(1000);
  });

  it('refuses a process that does not hold the socket (the peer exited, its pid reused)', async () => {
    await expect(
      verifiedUid(42, 7, proc({ holdsSocket: () => Promise.resolve(false) })),
    ).rejects.toThrow(PeerError);
  });

  it('refuses when the pid names another process after the uid was read', async () => {
    let calls = 0;
    const startTimeOf = () => Promise.resolve(calls++ === 0 ? 100 : 250);
    await expect(verifiedUid(42, 7, proc({ startTimeOf }))).rejects.toThrow(/replaced/);
  });

  it('reads the peer socket inode along with the pid from ss -xp', () => {
    const ss = [
      'u_str ESTAB 0 0 * 113868 * 113869 users:(("node",pid=2288,fd=20))',
      'u_str ESTAB 0 0 /run/sessionrec-agent/agent.sock 113869 * 113868 users:(("sessionrec",pid=7,fd=21))',
    ].join('\n');
    expect(peerFromSs(ss, 113869)).toEqual({ pid: 2288, inode: 113868 });
    expect(peerFromSs(ss, 1)).toBeNull();
  });

  it('finds a real peer process, and sees when a pid does not hold the socket', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'peer-'));
    const socketPath = path.join(dir, 's.sock');
    let accept: (socket: net.Socket) => void = () => undefined;
    const accepted = new Promise<net.Socket>((resolve) => (accept = resolve));
    const server = net.createServer((socket) => {
      server.close();
      accept(socket);
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    const child = spawn(
      process.execPath,
      ['-e', `require('net').connect(${JSON.stringify(socketPath)}); setTimeout(() => {}, 30000)`],
      { stdio: 'ignore' },
    );
    try {
      const socket = await accepted;
      const peer = await peerOf(socket);
      expect(peer.pid).toBe(child.pid);
      expect(peer.uid).toBe(process.getuid!());
      expect(await startTimeOf(child.pid!)).toBe(await startTimeOf(child.pid!));
      // This process holds our end, not the peer's.
      const fd = (socket as unknown as { _handle: { fd: number } })._handle.fd;
      const ownInode = Number(/\d+/.exec(await readlink(`/proc/self/fd/${fd}`))![0]);
      expect(await holdsSocket(child.pid!, ownInode)).toBe(false);
      expect(await holdsSocket(process.pid, ownInode)).toBe(true);
      socket.destroy();
    } finally {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
