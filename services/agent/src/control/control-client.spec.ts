import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { ControlClient, controlUrl } from './control-client';

/** A real WebSocket server on a random port standing in for ingest's control endpoint. */
async function startServer() {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const received: unknown[] = [];
  const auth: (string | undefined)[] = [];
  const sockets: WebSocket[] = [];
  let waiters: (() => void)[] = [];
  server.on('connection', (socket, request) => {
    auth.push(request.headers.authorization);
    sockets.push(socket);
    socket.on('message', (data: Buffer) => {
      received.push(JSON.parse(data.toString('utf8')));
      waiters.forEach((w) => w());
      waiters = [];
    });
    waiters.forEach((w) => w());
    waiters = [];
  });
  const until = async (check: () => boolean) => {
    while (!check()) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { server, url: `http://127.0.0.1:${port}`, received, auth, sockets, until };
}

describe('ControlClient', () => {
  it('builds the control URL from the ingest URL', () => {
    expect(controlUrl('http://h:8081/')).toBe('ws://h:8081/agent/v1/control');
    expect(controlUrl('https://h/base')).toBe('wss://h/base/agent/v1/control');
  });

  it('authenticates, answers pings, acks commands once, ignores expired ones, fails bad ones safely and reconnects', async () => {
    const ingest = await startServer();
    const commands: string[] = [];
    const client = new ControlClient({
      ingest: ingest.url,
      credential: 'cred-123',
      backoff: { baseMs: 10, maxMs: 20 },
      onCommand: (command) => {
        commands.push(command.action);
        return command.action === 'logoff'
          ? { status: 'failed', detail: 'refused' }
          : { status: 'acked' };
      },
    });
    try {
      client.start();
      await ingest.until(() => ingest.sockets.length === 1);
      expect(ingest.auth[0]).toBe('Bearer cred-123');
      const socket = ingest.sockets[0]!;
      const future = new Date(Date.now() + 60_000).toISOString();
      const lock = randomUUID();
      const logoff = randomUUID();
      const invalid = randomUUID();
      const expired = randomUUID();
      const frame = (commandId: string, action: string, expiresAt = future) =>
        JSON.stringify({ type: 'command', commandId, action, params: {}, expiresAt });
      socket.send(JSON.stringify({ type: 'ping', at: new Date().toISOString() }));
      socket.send(frame(lock, 'lock'));
      socket.send(frame(logoff, 'logoff'));
      socket.send(frame(invalid, 'self-destruct'));
      socket.send(frame(expired, 'lock', new Date(0).toISOString()));
      socket.send('not json at all');
      socket.send(Buffer.from([1, 2, 3]), { binary: true });
      await ingest.until(() => ingest.received.length >= 4);
      expect(ingest.received).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'pong' }),
          { type: 'command-result', commandId: lock, status: 'acked' },
          { type: 'command-result', commandId: logoff, status: 'failed', detail: 'refused' },
          {
            type: 'command-result',
            commandId: invalid,
            status: 'failed',
            detail: 'invalid command frame',
          },
        ]),
      );
      expect(commands).toEqual(['lock', 'logoff']);
      expect(client.stats.invalidFrames).toBe(3);

      socket.terminate();
      await ingest.until(() => ingest.sockets.length === 2);
      expect(ingest.auth[1]).toBe('Bearer cred-123');
      // A replay after reconnecting: answered again, the same way, without acting twice.
      ingest.sockets[1]!.send(frame(logoff, 'logoff'));
      ingest.sockets[1]!.send(JSON.stringify({ type: 'ping', at: new Date().toISOString() }));
      await ingest.until(() => ingest.received.length >= 6);
      expect(ingest.received.slice(4)).toEqual(
        expect.arrayContaining([
          { type: 'command-result', commandId: logoff, status: 'failed', detail: 'refused' },
          expect.objectContaining({ type: 'pong' }),
        ]),
      );
      expect(commands).toEqual(['lock', 'logoff']);
      expect(client.stats).toMatchObject({ pings: 2, connects: 2, repeated: 1, expired: 1 });
      expect(ingest.received.some((f) => (f as { commandId?: string }).commandId === expired)).toBe(
        false,
      );
    } finally {
      await client.stop();
      await new Promise((resolve) => ingest.server.close(resolve));
    }
  });

  it('stops for good when revoked (close 4401) and does not fight a newer connection (4000)', async () => {
    const ingest = await startServer();
    let unauthorized = 0;
    const make = () =>
      new ControlClient({
        ingest: ingest.url,
        credential: 'cred',
        backoff: { baseMs: 5, maxMs: 5 },
        onCommand: () => ({ status: 'acked' }),
        onUnauthorized: () => (unauthorized += 1),
      });
    const revoked = make();
    const replaced = make();
    try {
      revoked.start();
      await ingest.until(() => ingest.sockets.length === 1);
      ingest.sockets[0]!.close(4401, 'revoked');
      replaced.start();
      await ingest.until(() => ingest.sockets.length === 2);
      ingest.sockets[1]!.close(4000, 'replaced');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(ingest.sockets).toHaveLength(2);
      expect(unauthorized).toBe(1);
      expect(revoked.connected).toBe(false);
      expect(replaced.connected).toBe(false);
    } finally {
      await revoked.stop();
      await replaced.stop();
      await new Promise((resolve) => ingest.server.close(resolve));
    }
  });

  it('stops when the upgrade is refused with 401', async () => {
    const server = createHttpServer((_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Bearer' });
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    let attempts = 0;
    server.on('upgrade', (_req, socket) => {
      attempts += 1;
      socket.end(
        'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\nContent-Length: 0\r\n\r\n',
      );
    });
    let unauthorized = 0;
    const client = new ControlClient({
      ingest: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credential: 'bad',
      backoff: { baseMs: 5, maxMs: 5 },
      onCommand: () => ({ status: 'acked' }),
      onUnauthorized: () => (unauthorized += 1),
    });
    try {
      client.start();
      while (unauthorized === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(attempts).toBe(1);
    } finally {
      await client.stop();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
