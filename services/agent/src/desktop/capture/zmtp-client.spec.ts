import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  FrameReader,
  ZmtpDealer,
  ZmtpError,
  encodeFrame,
  encodeRequest,
  greeting,
  readyCommand,
} from './zmtp-client';

describe('ZMTP framing', () => {
  it('greets as ZMTP 3.0 with the NULL mechanism in 64 bytes', () => {
    const g = greeting();
    expect(g.length).toBe(64);
    expect(g[0]).toBe(0xff);
    expect(g[9]).toBe(0x7f);
    expect(g[10]).toBe(3);
    expect(g.toString('latin1', 12, 16)).toBe('NULL');
  });

  it('says it is a DEALER in its READY command', () => {
    const ready = readyCommand('DEALER');
    const body = Buffer.concat([
      Buffer.from([5]),
      Buffer.from('READY'),
      Buffer.from([11]),
      Buffer.from('Socket-Type'),
      Buffer.from([0, 0, 0, 6]),
      Buffer.from('DEALER'),
    ]);
    expect(ready).toEqual(Buffer.concat([Buffer.from([0x04, body.length]), body]));
  });

  it('reads back short and long frames split anywhere', () => {
    const long = Buffer.alloc(300, 0x61);
    const stream = Buffer.concat([encodeRequest('drawbox@m0 x 10'), encodeFrame(long, 0)]);
    const reader = new FrameReader();
    const frames = [...stream].flatMap((byte) => reader.push(Buffer.from([byte])));
    expect(frames.map((f) => f.body.length)).toEqual([0, 15, 300]);
    expect(frames[0]!.flags & 1).toBe(1);
    expect(frames[1]!.body.toString()).toBe('drawbox@m0 x 10');
  });

  it('refuses garbage flags and oversized frames', () => {
    expect(() => new FrameReader().push(Buffer.from([0xf0, 1, 0]))).toThrow(ZmtpError);
    const huge = Buffer.alloc(9);
    huge[0] = 0x02;
    huge.writeBigUInt64BE(1n << 40n, 1);
    expect(() => new FrameReader().push(huge)).toThrow(/frame of/);
  });
});

describe('ZMTP dealer against a scripted REP peer', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'zmtp-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('pipelines requests and matches replies in order', async () => {
    const socketPath = path.join(dir, 's.sock');
    const received: string[] = [];
    const server = net.createServer((socket) => {
      socket.write(Buffer.concat([greeting(), readyCommand('REP')]));
      let handshake = Buffer.alloc(0);
      const reader = new FrameReader();
      let greeted = false;
      socket.on('data', (chunk: Buffer) => {
        let data = chunk;
        if (!greeted) {
          handshake = Buffer.concat([handshake, chunk]);
          if (handshake.length < 64) return;
          greeted = true;
          data = handshake.subarray(64);
        }
        for (const frame of reader.push(data)) {
          if (frame.flags & 0x04 || frame.flags & 0x01) continue;
          const text = frame.body.toString();
          received.push(text);
          socket.write(encodeRequest(text.endsWith('bad') ? '-22 Invalid argument' : '0 Success'));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      const dealer = await ZmtpDealer.connect(socketPath);
      const replies = await dealer.requestAll(['a x 1', 'a y bad', 'a enable 1']);
      expect(replies).toEqual(['0 Success', '-22 Invalid argument', '0 Success']);
      expect(received).toEqual(['a x 1', 'a y bad', 'a enable 1']);
      dealer.close();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('fails pending requests when the peer goes away', async () => {
    const socketPath = path.join(dir, 's.sock');
    const server = net.createServer((socket) => {
      socket.write(greeting());
      socket.on('data', () => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      const dealer = await ZmtpDealer.connect(socketPath);
      await expect(dealer.requestAll(['x'])).rejects.toThrow();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
