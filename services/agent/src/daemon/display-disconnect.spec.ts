import {
  type SocketSource,
  identifyDisplayConnections,
  parseTcpSockets,
  parseUnixSockets,
} from './display-disconnect';

// `ss -xapnH` as iproute2 6.1 prints it: Xorg of display :10 (pid 500, uid 1000) listening
// on its X11 socket and on xorgxrdp's socket; xrdp's process (pid 300, root) connected to
// the latter; xterm (pid 600) an X client; Xorg's own connection to D-Bus (pid 50).
const unix = [
  'u_str LISTEN 0 4096 /tmp/.X11-unix/X10 1000 * 0 users:(("Xorg",pid=500,fd=5))',
  'u_str LISTEN 0 4096 @/tmp/.X11-unix/X10 1001 * 0 users:(("Xorg",pid=500,fd=6))',
  'u_str LISTEN 0 2 /tmp/.xrdp/xrdp_display_10 1002 * 0 users:(("Xorg",pid=500,fd=7))',
  'u_str ESTAB 0 0 /tmp/.xrdp/xrdp_display_10 1010 * 1011 users:(("Xorg",pid=500,fd=20))',
  'u_str ESTAB 0 0 * 1011 * 1010 users:(("xrdp",pid=300,fd=12))',
  'u_str ESTAB 0 0 @/tmp/.X11-unix/X10 1020 * 1021 users:(("Xorg",pid=500,fd=21))',
  'u_str ESTAB 0 0 * 1021 * 1020 users:(("xterm",pid=600,fd=3))',
  'u_str ESTAB 0 0 * 1030 /run/dbus/system_bus_socket 1031 users:(("Xorg",pid=500,fd=22))',
  'u_str ESTAB 0 0 /run/dbus/system_bus_socket 1031 * 1030 users:(("dbus-daemon",pid=50,fd=9))',
  // Display :11, another user's session with its own xrdp process.
  'u_str LISTEN 0 4096 @/tmp/.X11-unix/X11 2000 * 0 users:(("Xorg",pid=700,fd=5))',
  'u_str ESTAB 0 0 @/tmp/.X11-unix/X11 2010 * 2011 users:(("Xorg",pid=700,fd=20))',
  'u_str ESTAB 0 0 * 2011 * 2010 users:(("xrdp",pid=310,fd=12))',
].join('\n');

// `ss -tnpH state established`.
const tcp = [
  '0 0 10.0.0.2:3389 192.168.1.20:50000 users:(("xrdp",pid=300,fd=11))',
  '0 0 10.0.0.2:3389 192.168.1.30:50100 users:(("xrdp",pid=310,fd=11))',
  // The user's browser: an X client with a connection, not on a remote-display port.
  '0 0 10.0.0.2:41000 93.184.216.34:443 users:(("xterm",pid=600,fd=9))',
  // D-Bus is not a server of the display even if it held a connection on 3389.
  '0 0 10.0.0.2:3389 192.168.1.40:50200 users:(("dbus-daemon",pid=50,fd=14))',
].join('\n');

const source = (uids: Record<number, number>, unixText = unix): SocketSource => ({
  unixSockets: () => Promise.resolve(unixText),
  tcpSockets: () => Promise.resolve(tcp),
  uidOf: (pid) =>
    uids[pid] === undefined ? Promise.reject(new Error('gone')) : Promise.resolve(uids[pid]),
});

describe('identifyDisplayConnections', () => {
  it('parses ss rows (abstract and path names, several processes per socket)', () => {
    expect(parseUnixSockets(unix)[4]).toEqual({
      state: 'ESTAB',
      local: '*',
      localInode: 1011,
      peerInode: 1010,
      pids: [300],
    });
    expect(
      parseTcpSockets(
        '0 0 [::ffff:10.0.0.2]:5910 [::ffff:10.0.0.9]:6000 users:(("x11vnc",pid=9,fd=3),("sh",pid=8,fd=3))',
      ),
    ).toEqual([
      {
        endpoints: {
          serverIp: '10.0.0.2',
          serverPort: 5910,
          clientIp: '10.0.0.9',
          clientPort: 6000,
        },
        pids: [9, 8],
      },
    ]);
  });

  it("finds the RDP client of the session's display through xrdp's connection to its X server, and no other", async () => {
    const found = await identifyDisplayConnections(
      { displayNumber: 10, uid: 1000, ports: [3389] },
      source({ 500: 1000 }),
    );
    expect(found).toEqual({
      ok: true,
      xServer: 500,
      connections: [
        {
          endpoints: {
            serverIp: '10.0.0.2',
            serverPort: 3389,
            clientIp: '192.168.1.20',
            clientPort: 50000,
          },
          pids: [300],
        },
      ],
    });
  });

  it("refuses a display whose X server is not the session user's", async () => {
    const found = await identifyDisplayConnections(
      { displayNumber: 11, uid: 1000, ports: [3389] },
      source({ 500: 1000, 700: 1001 }),
    );
    expect(found).toEqual({
      ok: false,
      reason: "the X server of display :11 (pid 700) is not the session user's",
    });
  });

  it('refuses when no X server listens for the display, or no connection is tied to it', async () => {
    expect(
      await identifyDisplayConnections(
        { displayNumber: 12, uid: 1000, ports: [3389] },
        source({ 500: 1000 }),
      ),
    ).toEqual({ ok: false, reason: 'no X server listens for display :12' });
    // Display :10 without xrdp's connection (the user's only X client is xterm).
    const withoutXrdp = unix
      .split('\n')
      .filter((row) => !row.includes('pid=300'))
      .join('\n');
    const found = await identifyDisplayConnections(
      { displayNumber: 10, uid: 1000, ports: [3389] },
      source({ 500: 1000 }, withoutXrdp),
    );
    expect(found.ok).toBe(false);
    expect(!found.ok && found.reason).toMatch(/^no remote-display connection \(ports 3389, 5910\)/);
  });
});
