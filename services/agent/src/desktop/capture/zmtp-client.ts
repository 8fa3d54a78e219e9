/**
 * Just enough ZMTP 3.0 (the ZeroMQ wire protocol, rfc.zeromq.org/spec/23, NULL security)
 * to talk to ffmpeg's zmq filter over a Unix socket without a native ZeroMQ binding. We
 * are a DEALER and ffmpeg a REP socket, so several commands can be sent at once (REP
 * answers them in order) and a whole mask change reaches ffmpeg in one write: the zmq
 * filter runs every command waiting when a frame passes, before that frame is masked.
 *
 * The socket lives in the capture's private 0700 folder: nobody else on the host can
 * connect and switch a mask off.
 */
import net from 'node:net';

const FLAG_MORE = 0x01;
const FLAG_LONG = 0x02;
const FLAG_COMMAND = 0x04;
/** Replies are short ("0 Success"); anything bigger is not ffmpeg. */
const MAX_FRAME_BYTES = 64 * 1024;

export class ZmtpError extends Error {
  override readonly name = 'ZmtpError';
}

export function greeting(): Buffer {
  const out = Buffer.alloc(64);
  out[0] = 0xff;
  out[8] = 0x01;
  out[9] = 0x7f;
  out[10] = 3; // version 3.0
  out[11] = 0;
  out.write('NULL', 12, 'latin1'); // mechanism, zero-padded to 20 bytes
  out[32] = 0; // as-server: no
  return out;
}

export function encodeFrame(body: Buffer, flags: number): Buffer {
  if (body.length <= 255) return Buffer.concat([Buffer.from([flags, body.length]), body]);
  const head = Buffer.alloc(9);
  head[0] = flags | FLAG_LONG;
  head.writeBigUInt64BE(BigInt(body.length), 1);
  return Buffer.concat([head, body]);
}

export function readyCommand(socketType: string): Buffer {
  const name = Buffer.from('READY', 'latin1');
  const property = Buffer.from('Socket-Type', 'latin1');
  const value = Buffer.from(socketType, 'latin1');
  const valueSize = Buffer.alloc(4);
  valueSize.writeUInt32BE(value.length);
  const body = Buffer.concat([
    Buffer.from([name.length]),
    name,
    Buffer.from([property.length]),
    property,
    valueSize,
    value,
  ]);
  return encodeFrame(body, FLAG_COMMAND);
}

/** A DEALER → REP request: an empty delimiter frame, then the body. */
export function encodeRequest(text: string): Buffer {
  return Buffer.concat([
    encodeFrame(Buffer.alloc(0), FLAG_MORE),
    encodeFrame(Buffer.from(text, 'utf8'), 0),
  ]);
}

export interface Frame {
  readonly flags: number;
  readonly body: Buffer;
}

/** Reads frames from a byte stream (after the greeting). */
export class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: Frame[] = [];
    for (;;) {
      if (this.buffer.length < 2) break;
      const flags = this.buffer[0]!;
      if (flags & ~(FLAG_MORE | FLAG_LONG | FLAG_COMMAND)) {
        throw new ZmtpError(`bad frame flags 0x${flags.toString(16)}`);
      }
      let size: number;
      let header: number;
      if (flags & FLAG_LONG) {
        if (this.buffer.length < 9) break;
        const long = this.buffer.readBigUInt64BE(1);
        if (long > BigInt(MAX_FRAME_BYTES)) throw new ZmtpError(`frame of ${long} bytes`);
        size = Number(long);
        header = 9;
      } else {
        size = this.buffer[1]!;
        header = 2;
      }
      if (this.buffer.length < header + size) break;
      frames.push({ flags, body: Buffer.from(this.buffer.subarray(header, header + size)) });
      this.buffer = this.buffer.subarray(header + size);
    }
    return frames;
  }
}

interface Waiter {
  resolve: (reply: string) => void;
  reject: (error: Error) => void;
}

export class ZmtpDealer {
  private readonly reader = new FrameReader();
  private readonly waiting: Waiter[] = [];
  private greeted = false;
  private handshake: Buffer = Buffer.alloc(0);
  private message: Buffer[] = [];
  private closedWith: Error | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      try {
        this.onData(chunk);
      } catch (error) {
        socket.destroy(error as Error);
      }
    });
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new ZmtpError('command socket closed')));
  }

  static connect(path: string): Promise<ZmtpDealer> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection(path);
      const onError = (error: Error) => reject(error);
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        socket.write(Buffer.concat([greeting(), readyCommand('DEALER')]));
        resolve(new ZmtpDealer(socket));
      });
    });
  }

  /** Sends every request in one write; resolves with the replies in the same order. */
  requestAll(texts: readonly string[]): Promise<string[]> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const replies = texts.map(
      () =>
        new Promise<string>((resolve, reject) => {
          this.waiting.push({ resolve, reject });
        }),
    );
    this.socket.write(Buffer.concat(texts.map(encodeRequest)));
    return Promise.all(replies);
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (!this.greeted) {
      this.handshake = Buffer.concat([this.handshake, chunk]);
      if (this.handshake.length < 64) return;
      if (this.handshake[0] !== 0xff || this.handshake[10]! < 3) {
        throw new ZmtpError('peer is not a ZMTP 3 socket');
      }
      this.greeted = true;
      chunk = this.handshake.subarray(64);
      this.handshake = Buffer.alloc(0);
    }
    for (const frame of this.reader.push(chunk)) {
      if (frame.flags & FLAG_COMMAND) continue; // READY, PING: nothing to answer for NULL
      this.message.push(frame.body);
      if (frame.flags & FLAG_MORE) continue;
      const parts = this.message;
      this.message = [];
      // REP puts back the empty delimiter before the reply body.
      const body = parts[parts.length - 1]!.toString('utf8');
      const waiter = this.waiting.shift();
      if (!waiter) throw new ZmtpError('a reply nobody asked for');
      waiter.resolve(body);
    }
  }

  private fail(error: Error): void {
    this.closedWith ??= error;
    for (const waiter of this.waiting.splice(0)) waiter.reject(this.closedWith);
  }
}
