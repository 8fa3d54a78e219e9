import { EventEmitter } from 'node:events';
import type { ControlCommand } from '@sessionrec/contracts';
import type { WebSocket } from 'ws';
import { AgentSocket, type AgentSocketEvents } from './agent-socket';
import { CLOSE_CODES, DEFAULT_CONTROL_OPTIONS } from './control-options';

/** Just enough of a ws WebSocket to drive AgentSocket without a network. */
class FakeWs extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  readonly sent: unknown[] = [];
  readonly closes: [number, string][] = [];
  terminated = false;
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(code: number, reason: string): void {
    this.closes.push([code, reason]);
    this.readyState = 2;
  }
  terminate(): void {
    this.terminated = true;
    this.finish(1006);
  }
  finish(code: number): void {
    this.readyState = 3;
    this.emit('close', code, Buffer.from(''));
  }
  receive(data: string | Buffer, isBinary = false): void {
    this.emit('message', Buffer.isBuffer(data) ? data : Buffer.from(data), isBinary);
  }
}

const options = { ...DEFAULT_CONTROL_OPTIONS, pingIntervalMs: 1_000, idleTimeoutMs: 3_000 };
const AGENT = '00000000-0000-4000-8000-00000000000a';

function setup() {
  const ws = new FakeWs();
  const events: jest.Mocked<AgentSocketEvents> = { onResult: jest.fn(), onClosed: jest.fn() };
  let clock = 0;
  const socket = new AgentSocket(
    AGENT,
    '127.0.0.1',
    ws as unknown as WebSocket,
    options,
    events,
    () => clock,
  );
  socket.start();
  const advance = (ms: number): void => {
    clock += ms;
    jest.advanceTimersByTime(ms);
  };
  return { ws, events, socket, advance };
}

const command: ControlCommand = {
  v: 1,
  commandId: '00000000-0000-4000-8000-000000000001',
  agentId: AGENT,
  action: 'notice',
  params: { text: 'hi' },
  issuedAt: '2030-01-01T00:00:00.000Z',
  expiresAt: '2030-01-01T00:01:00.000Z',
  issuedBy: 'test',
};

describe('AgentSocket', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('sends a command once per connection as a serverFrame', () => {
    const { ws, socket } = setup();
    expect(socket.sendCommand(command)).toBe(true);
    expect(socket.sendCommand(command)).toBe(false);
    expect(ws.sent).toEqual([
      {
        type: 'command',
        commandId: command.commandId,
        action: 'notice',
        params: { text: 'hi' },
        expiresAt: command.expiresAt,
      },
    ]);
  });

  it('pings on every interval and closes with 4408 when the agent stays silent', () => {
    const { ws, advance } = setup();
    advance(1_000);
    advance(1_000);
    expect(ws.sent).toEqual([
      expect.objectContaining({ type: 'ping' }),
      expect.objectContaining({ type: 'ping' }),
    ]);
    advance(1_000);
    expect(ws.closes).toEqual([[CLOSE_CODES.idleTimeout, expect.any(String)]]);
  });

  it('stays open while the agent answers pings', () => {
    const { ws, advance } = setup();
    for (let i = 0; i < 10; i++) {
      advance(1_000);
      ws.receive(JSON.stringify({ type: 'pong', at: new Date().toISOString() }));
    }
    expect(ws.closes).toEqual([]);
  });

  it('passes valid results on and closes with 1008 on anything malformed', () => {
    const { ws, events } = setup();
    ws.receive(
      JSON.stringify({ type: 'command-result', commandId: command.commandId, status: 'acked' }),
    );
    expect(events.onResult).toHaveBeenCalledWith(expect.anything(), {
      commandId: command.commandId,
      status: 'acked',
      detail: undefined,
    });
    ws.receive('{not json');
    expect(ws.closes).toEqual([[CLOSE_CODES.policyViolation, 'frame is not JSON']]);
  });

  it('closes with 1008 on a binary frame', () => {
    const { ws, events } = setup();
    ws.receive(Buffer.from([1, 2, 3]), true);
    expect(ws.closes[0]?.[0]).toBe(CLOSE_CODES.policyViolation);
    expect(events.onResult).not.toHaveBeenCalled();
  });

  it('cuts the connection when the closing handshake does not finish, and stops its timers', async () => {
    const { ws, socket, events, advance } = setup();
    const closed = socket.close(CLOSE_CODES.goingAway, 'bye');
    advance(DEFAULT_CONTROL_OPTIONS.closeGraceMs);
    await closed;
    expect(ws.terminated).toBe(true);
    expect(events.onClosed).toHaveBeenCalledWith(socket, 1006, '');
    expect(jest.getTimerCount()).toBe(0);
  });
});
