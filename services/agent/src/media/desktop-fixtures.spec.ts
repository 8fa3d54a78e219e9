import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { promisify } from 'node:util';
import path from 'node:path';
import { readBoxes } from './boxes';
import { DEFAULT_DESKTOP_FIXTURES, DesktopFixtures } from './desktop-fixtures';
import { parseFragment, parseInit, retimeFragment } from './fmp4';

describe('desktop fixtures', () => {
  it('has an init segment with ftyp and moov and a video timescale', async () => {
    const init = await readFile(path.join(DEFAULT_DESKTOP_FIXTURES, 'init.mp4'));
    expect(readBoxes(init).map((box) => box.type)).toEqual(['ftyp', 'moov']);
    expect(parseInit(init).timescale).toBeGreaterThan(0);
  });

  it('has media segments of about 100 KB that start with styp or moof and on a keyframe', async () => {
    const names = (await readdir(DEFAULT_DESKTOP_FIXTURES))
      .filter((name) => name.endsWith('.m4s'))
      .sort();
    expect(names.length).toBeGreaterThanOrEqual(10);
    let previousEnd: number | undefined;
    for (const name of names) {
      const bytes = await readFile(path.join(DEFAULT_DESKTOP_FIXTURES, name));
      expect(bytes.length).toBeGreaterThan(50_000);
      expect(bytes.length).toBeLessThan(200_000);
      const info = parseFragment(bytes);
      expect(['styp', 'moof']).toContain(info.firstBox);
      expect(info.startsWithKeyframe).toBe(true);
      expect(info.sampleCount).toBeGreaterThan(0);
      if (previousEnd !== undefined) expect(info.baseMediaDecodeTime).toBe(previousEnd);
      previousEnd = info.baseMediaDecodeTime + info.duration;
    }
  });
});

describe('DesktopFixtures', () => {
  it('loops over the fixtures with a continuous timeline and increasing fragment numbers', async () => {
    const fixtures = await DesktopFixtures.load();
    const n = fixtures.fragmentCount;
    const first = fixtures.segment(0);
    expect(first.startMs).toBe(0);
    expect(first.endMs).toBe(6000);
    const lastOfPass = fixtures.segment(n - 1);
    const firstOfNextPass = fixtures.segment(n);
    expect(firstOfNextPass.startMs).toBe(lastOfPass.endMs);
    expect(firstOfNextPass.bytes.equals(first.bytes)).toBe(false);
    expect(firstOfNextPass.bytes.length).toBe(first.bytes.length);
    const a = parseFragment(first.bytes);
    const b = parseFragment(firstOfNextPass.bytes);
    expect(b.sequenceNumber).toBe(n + 1);
    expect(b.baseMediaDecodeTime).toBeGreaterThan(a.baseMediaDecodeTime);
    expect(b.startsWithKeyframe).toBe(true);
  });

  it('plays: init plus a looped, retimed segment decodes with ffmpeg', async () => {
    const fixtures = await DesktopFixtures.load();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'agent-fmp4-'));
    try {
      const file = path.join(dir, 'clip.mp4');
      const looped = fixtures.segment(fixtures.fragmentCount + 2);
      await writeFile(file, Buffer.concat([fixtures.init, looped.bytes]));
      const { stdout } = await promisify(execFile)('ffprobe', [
        '-v',
        'error',
        '-count_frames',
        '-select_streams',
        'v',
        '-show_entries',
        'stream=codec_name,nb_read_frames',
        '-of',
        'json',
        file,
      ]);
      const stream = (
        JSON.parse(stdout) as { streams: { codec_name: string; nb_read_frames: string }[] }
      ).streams[0]!;
      expect(stream.codec_name).toBe('h264');
      expect(Number(stream.nb_read_frames)).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('retimes a fragment without touching its media data', async () => {
    const bytes = await readFile(path.join(DEFAULT_DESKTOP_FIXTURES, '0001.m4s'));
    const shifted = retimeFragment(bytes, { decodeTimeOffset: 90_000, sequenceNumber: 42 });
    const info = parseFragment(shifted);
    expect(info.baseMediaDecodeTime).toBe(parseFragment(bytes).baseMediaDecodeTime + 90_000);
    expect(info.sequenceNumber).toBe(42);
    const mdat = (buf: Buffer) => {
      const box = readBoxes(buf).find((b) => b.type === 'mdat')!;
      return buf.subarray(box.payload, box.end);
    };
    expect(mdat(shifted).equals(mdat(bytes))).toBe(true);
  });

  it('refuses something that is not a fragment', () => {
    expect(() => parseFragment(Buffer.from('not an mp4 at all'))).toThrow();
    const fake = Buffer.alloc(16);
    fake.writeUInt32BE(16, 0);
    fake.write('free', 4, 'latin1');
    fake.writeUInt32BE(8, 8);
    fake.write('mdat', 12, 'latin1');
    expect(() => parseFragment(fake)).toThrow(/not styp or moof/);
  });
});
