import { randomUUID } from 'node:crypto';
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

  it('authenticates, answers pings, acks commands, fails bad ones safely and reconnects', async () => {
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
      socket.send(JSON.stringify({ type: 'ping', at: new Date().toISOString() }));
      socket.send(
        JSON.stringify({
          type: 'command',
          commandId: lock,
          action: 'lock',
          params: {},
          expiresAt: future,
        }),
      );
      socket.send(
        JSON.stringify({
          type: 'command',
          commandId: logoff,
          action: 'logoff',
          params: {},
          expiresAt: future,
        }),
      );
      socket.send(
        JSON.stringify({
          type: 'command',
          commandId: invalid,
          action: 'self-destruct',
          params: {},
          expiresAt: future,
        }),
      );
      socket.send(
        JSON.stringify({
          type: 'command',
          commandId: expired,
          action: 'lock',
          params: {},
          expiresAt: new Date(0).toISOString(),
        }),
      );
      socket.send('not json at all');
      socket.send(Buffer.from([1, 2, 3]), { binary: true });
      await ingest.until(() => ingest.received.length >= 5);
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
          expect.objectContaining({ commandId: expired, status: 'failed' }),
        ]),
      );
      expect(commands).toEqual(['lock', 'logoff']);
      expect(client.stats.invalidFrames).toBe(3);

      socket.terminate();
      await ingest.until(() => ingest.sockets.length === 2);
      expect(ingest.auth[1]).toBe('Bearer cred-123');
      ingest.sockets[1]!.send(JSON.stringify({ type: 'ping', at: new Date().toISOString() }));
      await ingest.until(() => ingest.received.length >= 6);
      expect(client.stats.pings).toBe(2);
      expect(client.stats.connects).toBe(2);
    } finally {
      await client.stop();
      await new Promise((resolve) => ingest.server.close(resolve));
    }
  });
});
