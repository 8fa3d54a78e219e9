import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Spool, SpoolFullError } from './spool';
import type { SpoolMeta } from './spool-item';

const meta = (kind: SpoolMeta['kind'], lane = 'session-a'): SpoolMeta => ({
  kind,
  lane,
  method: 'POST',
  path: '/sessions',
  headers: {},
  json: kind !== 'segment',
  count: 1,
  createdAt: new Date(0).toISOString(),
});

describe('Spool', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'agent-spool-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps items on disk until removed and recovers them in order after a restart', async () => {
    const { spool, recovered } = await Spool.open({ dir, maxBytes: 1 << 20 });
    expect(recovered).toEqual([]);
    const first = await spool.put(meta('session-start'), Buffer.from('{"a":1}'));
    const second = await spool.put(
      { ...meta('segment'), headers: { 'x-segment-kind': 'cast' } },
      Buffer.from([0, 1, 2, 255]),
    );
    const third = await spool.put(meta('events'), Buffer.from('{"b":2}'));
    expect([first.order, second.order, third.order]).toEqual([0, 1, 2]);
    await spool.remove(first);

    const reopened = await Spool.open({ dir, maxBytes: 1 << 20 });
    expect(reopened.recovered.map((item) => item.order)).toEqual([1, 2]);
    const segment = reopened.recovered[0]!;
    expect(segment.meta.kind).toBe('segment');
    expect(segment.meta.headers).toEqual({ 'x-segment-kind': 'cast' });
    expect([...segment.body]).toEqual([0, 1, 2, 255]);
    expect(reopened.spool.bytes).toBe(second.size + third.size);
    const next = await reopened.spool.put(meta('events'), Buffer.from('{}'));
    expect(next.order).toBe(3);
  });

  it('in memory: writes nothing, orders and bounds items like the disk spool', async () => {
    const memoryDir = path.join(dir, 'never-created');
    const { spool, recovered } = await Spool.open({ dir: memoryDir, maxBytes: 600, memory: true });
    expect(recovered).toEqual([]);
    const first = await spool.put(meta('segment'), Buffer.alloc(150));
    const second = await spool.put(meta('events'), Buffer.from('{}'));
    expect([first.order, second.order]).toEqual([0, 1]);
    expect(spool.bytes).toBe(first.size + second.size);
    await expect(spool.put(meta('segment'), Buffer.alloc(600))).rejects.toBeInstanceOf(
      SpoolFullError,
    );
    await spool.remove(first);
    expect(spool.bytes).toBe(second.size);
    await expect(stat(memoryDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('writes item files readable by the owner only', async () => {
    const { spool } = await Spool.open({ dir, maxBytes: 1 << 20 });
    await spool.put(meta('events'), Buffer.from('{}'));
    const [name] = await readdir(path.join(dir, 'queue'));
    expect((await stat(path.join(dir, 'queue', name!))).mode & 0o777).toBe(0o600);
  });

  it('refuses an item that would exceed the size limit, and accepts again once space is freed', async () => {
    const { spool } = await Spool.open({ dir, maxBytes: 600 });
    const item = await spool.put(meta('segment'), Buffer.alloc(150));
    await expect(spool.put(meta('segment'), Buffer.alloc(250))).rejects.toThrow(SpoolFullError);
    await expect(spool.put(meta('segment'), Buffer.alloc(250))).rejects.toThrow(/is full/);
    expect(spool.bytes).toBe(item.size);
    await spool.remove(item);
    expect(spool.bytes).toBe(0);
    await expect(spool.put(meta('segment'), Buffer.alloc(250))).resolves.toMatchObject({
      order: 1,
    });
  });

  it('drops half-written temp files and sets corrupt items aside on open', async () => {
    const { spool } = await Spool.open({ dir, maxBytes: 1 << 20 });
    await spool.put(meta('events'), Buffer.from('{}'));
    await writeFile(path.join(dir, 'tmp', '000000000001.item'), 'partial');
    await writeFile(path.join(dir, 'queue', '000000000002.item'), Buffer.from([0, 0, 0, 9, 1]));
    const reopened = await Spool.open({ dir, maxBytes: 1 << 20 });
    expect(reopened.recovered.map((item) => item.order)).toEqual([0]);
    expect(await readdir(path.join(dir, 'tmp'))).toEqual([]);
    expect((await readdir(path.join(dir, 'queue'))).sort()).toEqual([
      '000000000000.item',
      '000000000002.item.corrupt',
    ]);
  });

  it('removing an item twice does not corrupt the size accounting', async () => {
    const { spool } = await Spool.open({ dir, maxBytes: 1 << 20 });
    const a = await spool.put(meta('events'), Buffer.from('{}'));
    const b = await spool.put(meta('events'), Buffer.from('{}'));
    await spool.remove(a);
    await spool.remove(a);
    expect(spool.bytes).toBe(b.size);
  });
});
