import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkScreenSegment } from '../daemon/desktop-session';
import { desktopMessage, MAX_DESKTOP_LINE_BYTES } from '../daemon/desktop-wire';
import { decode, LineReader } from '../daemon/wire';
import { findServedConnection, splitAddress } from './display-connection';
import { writableFlags } from './proc-info';
import { type CapturedSegment, type ScreenCaptureLike, ScreenRecorder } from './screen-recorder';
import { parseMountPoints } from './storage-watcher';
import { listUsbDisks } from './usb-watcher';
import {
  clipRect,
  displayNumber,
  frameRect,
  parseWindowList,
  parseWindowProperties,
  parseWindowTree,
} from './x11/x11-text';

describe('xprop and xwininfo parsing', () => {
  it('reads window lists, empty lists and other lines', () => {
    expect(
      parseWindowList(
        '_NET_CLIENT_LIST(WINDOW): window id # 0x40000c, 0x600003',
        '_NET_CLIENT_LIST',
      ),
    ).toEqual([0x40000c, 0x600003]);
    expect(parseWindowList('_NET_CLIENT_LIST(WINDOW): window id # ', '_NET_CLIENT_LIST')).toEqual(
      [],
    );
    expect(parseWindowList('_NET_CLIENT_LIST:  not found.', '_NET_CLIENT_LIST')).toEqual([]);
    expect(
      parseWindowList('_NET_ACTIVE_WINDOW(WINDOW): window id # 0x0', '_NET_ACTIVE_WINDOW'),
    ).toEqual([]);
    expect(
      parseWindowList('_NET_ACTIVE_WINDOW(WINDOW): window id # 0x1', '_NET_CLIENT_LIST'),
    ).toBeNull();
  });

  it('reads pid, title (UTF-8 name first) and class, with escaped quotes', () => {
    const text = [
      '_NET_WM_PID(CARDINAL) = 14267',
      '_NET_WM_NAME(UTF8_STRING) = "say \\"hi\\" — ok"',
      'WM_NAME(STRING) = "plain"',
      'WM_CLASS(STRING) = "xterm", "XTerm"',
    ].join('\n');
    expect(parseWindowProperties(text)).toEqual({
      pid: 14267,
      title: 'say "hi" — ok',
      wmInstance: 'xterm',
      wmClass: 'XTerm',
    });
    expect(parseWindowProperties('_NET_WM_PID:  not found.\nWM_NAME(STRING) = "x"')).toEqual({
      title: 'x',
    });
  });

  it('finds a client window frame (title bar included) from the tree, and clips to the screen', () => {
    const tree = parseWindowTree(
      [
        '  Root window id: 0x50d (the root window) (has no name)',
        '     2 children:',
        '     0x20020b "Openbox": ("" (none))  1x1+-100+-100  +-100+-100',
        '     0x200261 (has no name): ()  486x341+397+189  +397+189',
        '        1 child:',
        '        0x40000c "a (b)": ("xterm" "XTerm")  484x316+1+20  +398+209',
        '           1 child:',
        '           0x40001b (has no name): ()  484x316+0+0  +398+209',
      ].join('\n'),
    );
    expect(frameRect(tree, 0x40000c)).toEqual({ x: 397, y: 189, width: 486, height: 341 });
    expect(frameRect(tree, 0x20020b)).toEqual({ x: -100, y: -100, width: 1, height: 1 });
    expect(frameRect(tree, 0x999)).toBeUndefined();
    expect(
      clipRect({ x: -10, y: 700, width: 50, height: 100 }, { width: 1280, height: 720 }),
    ).toEqual({ x: 0, y: 700, width: 40, height: 20 });
    expect(
      clipRect({ x: -100, y: -100, width: 1, height: 1 }, { width: 10, height: 10 }),
    ).toBeUndefined();
    expect(displayNumber(':10')).toBe(10);
    expect(displayNumber('localhost:11.0')).toBe(11);
    expect(displayNumber('nonsense')).toBeUndefined();
  });
});

describe('storage and processes', () => {
  it('reads mount points with escaped spaces', () => {
    const text = [
      '36 35 98:0 / /media/usb\\040stick rw,noatime master:1 - vfat /dev/sdb1 rw',
      '37 35 0:5 / /proc rw - proc proc rw',
    ].join('\n');
    expect(parseMountPoints(text)).toEqual(['/media/usb stick', '/proc']);
  });

  it('tells files open for writing from those open for reading', () => {
    expect(writableFlags('pos:\t0\nflags:\t0100001\nmnt_id:\t30')).toBe(true);
    expect(writableFlags('pos:\t0\nflags:\t0100002\n')).toBe(true);
    expect(writableFlags('pos:\t0\nflags:\t0100000\n')).toBe(false);
    expect(writableFlags('garbage')).toBe(false);
  });

  it('lists removable disks from a /sys/block tree, not fixed ones', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sysblock-'));
    try {
      await mkdir(path.join(dir, 'sdb', 'device'), { recursive: true });
      await writeFile(path.join(dir, 'sdb', 'removable'), '1\n');
      await writeFile(path.join(dir, 'sdb', 'size'), '2048\n');
      await writeFile(path.join(dir, 'sdb', 'device', 'vendor'), 'SanDisk \n');
      await writeFile(path.join(dir, 'sdb', 'device', 'model'), 'Ultra\n');
      await mkdir(path.join(dir, 'sda'), { recursive: true });
      await writeFile(path.join(dir, 'sda', 'removable'), '0\n');
      await mkdir(path.join(dir, 'loop0'), { recursive: true });
      await writeFile(path.join(dir, 'loop0', 'removable'), '1\n');
      expect(await listUsbDisks(dir)).toEqual([
        { device: 'sdb', vendor: 'SanDisk', model: 'Ultra', sizeBytes: 2048 * 512 },
      ]);
      expect(await listUsbDisks(path.join(dir, 'missing'))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('finds a USB disk the kernel does not mark removable by its device path (block/ entries are symlinks into devices/)', async () => {
    const sys = await mkdtemp(path.join(os.tmpdir(), 'sys-'));
    try {
      const block = path.join(sys, 'block');
      const usb = path.join(
        sys,
        'devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0',
      );
      const fixed = path.join(sys, 'devices/pci0000:00/0000:00:02.0/virtio1/block/vda');
      await mkdir(path.join(usb, 'block', 'sdc'), { recursive: true });
      await mkdir(fixed, { recursive: true });
      await mkdir(block);
      await writeFile(path.join(usb, 'block', 'sdc', 'removable'), '0\n');
      await writeFile(path.join(usb, 'block', 'sdc', 'size'), '1000\n');
      await writeFile(path.join(usb, 'vendor'), 'Samsung \n');
      await writeFile(path.join(usb, 'model'), 'Portable SSD T7  \n');
      await symlink('../../../6:0:0:0', path.join(usb, 'block', 'sdc', 'device'));
      await writeFile(path.join(fixed, 'removable'), '0\n');
      await symlink(path.relative(block, path.join(usb, 'block', 'sdc')), path.join(block, 'sdc'));
      await symlink(path.relative(block, fixed), path.join(block, 'vda'));
      expect(await listUsbDisks(block)).toEqual([
        { device: 'sdc', vendor: 'Samsung', model: 'Portable SSD T7', sizeBytes: 1000 * 512 },
      ]);
    } finally {
      await rm(sys, { recursive: true, force: true });
    }
  });
});

describe('remote-display connection', () => {
  it('splits the address forms ss prints', () => {
    expect(splitAddress('[::1]:3389')).toEqual({ ip: '::1', port: 3389 });
    expect(splitAddress('::ffff:10.0.0.5:3389')).toEqual({ ip: '10.0.0.5', port: 3389 });
    expect(splitAddress('10.0.0.5:70000')).toBeNull();
    expect(splitAddress('evil;rm:22')).toBeNull();
  });

  it('finds the connection a display server serves', () => {
    const text = [
      '0 0 127.0.0.1:5432 127.0.0.1:40000',
      '0 36 10.0.0.2:3389 10.0.0.9:51000 users:(("xrdp",pid=10,fd=3))',
    ].join('\n');
    expect(findServedConnection(text, [3389, 5910])).toEqual({
      serverIp: '10.0.0.2',
      serverPort: 3389,
      clientIp: '10.0.0.9',
      clientPort: 51000,
    });
    expect(findServedConnection(text, [5900])).toBeNull();
  });
});

describe('desktop wire', () => {
  it('takes a segment line far larger than the terminal limit, and refuses beyond its own', () => {
    const lines: string[] = [];
    const errors: string[] = [];
    const reader = new LineReader(
      (line) => lines.push(line),
      (e) => errors.push(e),
      MAX_DESKTOP_LINE_BYTES,
    );
    reader.push(Buffer.from(`${'x'.repeat(4 * 1024 * 1024)}\n`));
    expect(lines).toHaveLength(1);
    reader.push(Buffer.alloc(MAX_DESKTOP_LINE_BYTES + 10, 0x61));
    expect(errors).toHaveLength(1);
  });

  it('refuses malformed and hostile messages', () => {
    const base = { t: 'hello', v: 1, pid: 10, width: 1280, height: 720 };
    expect(decode(desktopMessage, JSON.stringify({ ...base, display: ':10' })).ok).toBe(true);
    expect(decode(desktopMessage, JSON.stringify({ ...base, display: ':0; rm -rf /' })).ok).toBe(
      false,
    );
    expect(decode(desktopMessage, JSON.stringify({ ...base, display: ':1', extra: 1 })).ok).toBe(
      false,
    );
    const segment = {
      t: 'segment',
      recordingId: '6f1c1d0e-5a43-4c53-9d47-5f2f4f3a9b10',
      kind: 'cast',
      startMs: 0,
      endMs: 1,
      data: 'AAAA',
    };
    expect(decode(desktopMessage, JSON.stringify(segment)).ok).toBe(false);
    expect(decode(desktopMessage, JSON.stringify({ ...segment, kind: 'media' })).ok).toBe(true);
    expect(decode(desktopMessage, JSON.stringify({ t: 'focus', offsetMs: -1, app: 'x' })).ok).toBe(
      false,
    );
  });

  const box = (type: string, payload = 0) => {
    const b = Buffer.alloc(8 + payload);
    b.writeUInt32BE(8 + payload, 0);
    b.write(type, 4, 'latin1');
    return b;
  };

  it('accepts an fMP4 init first and fragments after, nothing else', () => {
    const init = Buffer.concat([box('ftyp', 8), box('moov', 16)]);
    const media = Buffer.concat([box('styp', 4), box('moof', 8), box('mdat', 32)]);
    expect(() => checkScreenSegment(init, 'init', true)).not.toThrow();
    expect(() => checkScreenSegment(media, 'media', false)).not.toThrow();
    expect(() => checkScreenSegment(media, 'media', true)).toThrow(/starts with its init/);
    expect(() => checkScreenSegment(init, 'init', false)).toThrow(/only the first/);
    expect(() => checkScreenSegment(media, 'init', true)).toThrow(/not an fMP4 init/);
    expect(() => checkScreenSegment(init, 'media', false)).toThrow(/not an fMP4 media/);
    expect(() => checkScreenSegment(Buffer.from('{"version": 2}\n'), 'media', false)).toThrow();
  });
});

/** A capture that emits what the test tells it to. */
class FakeCapture implements ScreenCaptureLike {
  private listener: (segment: CapturedSegment) => void = () => undefined;
  private errorListener: (error: Error) => void = () => undefined;
  masks: unknown[] = [];
  stopped = false;
  start(masks: readonly { x: number }[]): Promise<void> {
    this.masks = [...masks];
    this.emit('init', 0, 0);
    return Promise.resolve();
  }
  setMasks(masks: readonly { x: number }[]): Promise<void> {
    this.masks = [...masks];
    return Promise.resolve();
  }
  stop(): Promise<void> {
    this.stopped = true;
    this.emit('media', 90, 100);
    return Promise.resolve();
  }
  onSegment(listener: (segment: CapturedSegment) => void): void {
    this.listener = listener;
  }
  onError(listener: (error: Error) => void): void {
    this.errorListener = listener;
  }
  fail(name: string): void {
    const error = new Error('the screen changed size');
    error.name = name;
    this.errorListener(error);
  }
  emit(kind: 'init' | 'media', startMs: number, endMs: number, bytes = 10): void {
    this.listener({ kind, bytes: new Uint8Array(bytes).fill(startMs % 256), startMs, endMs });
  }
}

describe('ScreenRecorder', () => {
  const capture = { frameRate: 5, quality: 'medium' as const, excludedApplications: [] };
  const A = '6f1c1d0e-5a43-4c53-9d47-5f2f4f3a9b10';
  const B = '7f1c1d0e-5a43-4c53-9d47-5f2f4f3a9b10';

  function recorder() {
    const sent: { recordingId: string; kind: string; startMs: number }[] = [];
    const captures: FakeCapture[] = [];
    const stopped: string[] = [];
    const r = new ScreenRecorder(
      () => {
        const c = new FakeCapture();
        captures.push(c);
        return c;
      },
      (m) => sent.push({ recordingId: m.recordingId, kind: m.kind, startMs: m.startMs }),
      () => undefined,
      (error) => stopped.push(error.name),
    );
    return { r, sent, captures, stopped };
  }

  it('sends the init first to each recording, then media in order, and the last one on stop', async () => {
    const { r, sent, captures } = recorder();
    await r.apply({ recordingId: A, capture, preEvent: null });
    captures[0]!.emit('media', 0, 10);
    await r.apply({ recordingId: B, capture, preEvent: null });
    captures[0]!.emit('media', 10, 20);
    await r.apply({ recordingId: null, capture, preEvent: null });
    expect(captures).toHaveLength(1);
    expect(captures[0]!.stopped).toBe(true);
    expect(sent).toEqual([
      { recordingId: A, kind: 'init', startMs: 0 },
      { recordingId: A, kind: 'media', startMs: 0 },
      { recordingId: B, kind: 'init', startMs: 10 },
      { recordingId: B, kind: 'media', startMs: 10 },
      { recordingId: B, kind: 'media', startMs: 90 },
    ]);
  });

  it('keeps armed segments in a bounded buffer, sends nothing until a recording id comes', async () => {
    const { r, sent, captures } = recorder();
    await r.apply({ recordingId: null, capture, preEvent: { ms: 30, maxBytes: 1000 } });
    for (let t = 0; t < 100; t += 10) captures[0]!.emit('media', t, t + 10);
    expect(sent).toEqual([]);
    expect(r.bufferedBytes).toBe(30); // the segments starting within the last 30 ms: 70, 80, 90
    await r.apply({ recordingId: A, capture, preEvent: null });
    expect(sent.map((s) => `${s.kind}@${s.startMs}`)).toEqual([
      'init@70',
      'media@70',
      'media@80',
      'media@90',
    ]);
    expect(r.bufferedBytes).toBe(0);
  });

  it('passes masks to a capture that starts later and to the running one', async () => {
    const { r, captures } = recorder();
    await r.setMasks([{ x: 1, y: 2, width: 3, height: 4 }]);
    await r.apply({ recordingId: A, capture, preEvent: null });
    expect(captures[0]!.masks).toEqual([{ x: 1, y: 2, width: 3, height: 4 }]);
    await r.setMasks([]);
    expect(captures[0]!.masks).toEqual([]);
  });

  it('starts a new capture run when a new recording has other settings', async () => {
    const { r, captures } = recorder();
    await r.apply({ recordingId: A, capture, preEvent: null });
    await r.apply({ recordingId: B, capture: { ...capture, frameRate: 10 }, preEvent: null });
    expect(captures).toHaveLength(2);
    expect(captures[0]!.stopped).toBe(true);
  });

  it('reports a capture that stopped by itself and starts a new run for the next recording', async () => {
    const { r, sent, captures, stopped } = recorder();
    await r.apply({ recordingId: A, capture, preEvent: null });
    captures[0]!.fail('Error'); // ffmpeg restarted by the capture itself: not fatal
    await r.apply({ recordingId: A, capture, preEvent: null });
    expect(stopped).toEqual([]);
    captures[0]!.fail('InitChangedError');
    await r.apply({ recordingId: A, capture, preEvent: null }); // lets the queued step run
    expect(stopped).toEqual(['InitChangedError']);
    expect(r.capturing).toBe(false); // never a second init in recording A
    await r.apply({ recordingId: B, capture, preEvent: null });
    captures[1]!.emit('media', 50, 60);
    expect(captures).toHaveLength(2);
    expect(sent.filter((m) => m.recordingId === B).map((m) => m.kind)).toEqual(['init', 'media']);
  });
});
