/**
 * Playback and export of sessions recorded through the real pipeline: the agent
 * simulator streams a desktop and a terminal session into ingest, the indexer catalogues
 * them, and the api (in this process) serves them from the catalogue and the S3 bucket.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { HEADERS } from '@sessionrec/contracts';
import { readStream, waitFor } from '@sessionrec/testing';
import { adminToken, type ApiHarness, get, startApi } from './api-harness';
import { type Pipeline, startPipeline } from './pipeline';

const run = promisify(execFile);

interface Recording {
  recordingId: string;
  sessionId: string;
  kind: 'screen' | 'terminal';
  live: boolean;
  init?: { key: string; size: number; sha256: string };
  segments: {
    seq: number;
    key: string;
    size: number;
    sha256: string;
    startMs: number;
    endMs: number;
  }[];
}

async function ffprobeDuration(target: string, token?: string): Promise<number> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    ...(token ? ['-headers', `Authorization: Bearer ${token}\r\n`] : []),
    '-show_entries',
    'format=duration',
    '-of',
    'csv=p=0',
    target,
  ]);
  return Number(stdout.trim());
}

async function bytesOf(res: Response): Promise<Buffer> {
  return Buffer.from(await res.arrayBuffer());
}

describe('api playback of recorded simulated sessions (real ingest, indexer, NATS, PostgreSQL, S3)', () => {
  let harness: ApiHarness;
  let pipeline: Pipeline | undefined;
  let token: string;
  let screen: Recording;
  let terminal: Recording;
  let work: string;

  async function recording(id: string): Promise<Recording> {
    const res = await get(harness, `/api/v1/recordings/${id}?limit=2000`, token);
    expect(res.status).toBe(200);
    return (await res.json()) as Recording;
  }

  /** segment.stored messages per recording: what the catalogue must end up holding. */
  async function storedCounts(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const m of await readStream(harness.nc, harness.name, 'SEGMENTS')) {
      if (m.header?.get(HEADERS.messageType) !== 'segment.stored') continue;
      const body = m.json<{ recordingId: string; kind: string }>();
      if (body.kind === 'init') continue;
      counts.set(body.recordingId, (counts.get(body.recordingId) ?? 0) + 1);
    }
    return counts;
  }

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'api-playback-'));
    harness = await startApi('api-playback', { catalog: false });
    pipeline = await startPipeline(harness.name, harness.bucket);
    token = await adminToken(harness);
    await pipeline.simulate('desktop', 1, 40);
    await pipeline.simulate('terminal', 1, 40);
    const stored = await storedCounts();
    expect(stored.size).toBe(2);
    let found: Recording[] = [];
    await waitFor(
      async () => {
        const res = await get(harness, '/api/v1/sessions', token);
        if (res.status !== 200) return false;
        const body = (await res.json()) as {
          sessions: { recordings: { recordingId: string }[] }[];
        };
        const ids = body.sessions.flatMap((s) => s.recordings.map((r) => r.recordingId));
        if (ids.length !== 2) return false;
        found = await Promise.all(ids.map((id) => recording(id)));
        return found.every((r) => !r.live && r.segments.length === stored.get(r.recordingId));
      },
      60_000,
      'both recordings catalogued and stopped',
    );
    screen = found.find((r) => r.kind === 'screen')!;
    terminal = found.find((r) => r.kind === 'terminal')!;
    expect(screen.init).toBeDefined();
    expect(screen.segments.length).toBeGreaterThanOrEqual(5);
  });

  afterAll(async () => {
    await pipeline?.stop();
    await harness.cleanup();
    await rm(work, { recursive: true, force: true });
  });

  it('serves a VOD playlist that ffprobe decodes to the recording length', async () => {
    const res = await get(harness, `/api/v1/recordings/${screen.recordingId}/playlist.m3u8`, token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/vnd.apple.mpegurl');
    const text = await res.text();
    const lines = text.trim().split('\n');
    expect(lines.slice(0, 2)).toEqual(['#EXTM3U', '#EXT-X-VERSION:7']);
    expect(lines).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(lines).toContain('#EXT-X-MAP:URI="init.mp4"');
    expect(lines.filter((l) => l.startsWith('#EXTINF:'))).toHaveLength(screen.segments.length);
    expect(lines.at(-1)).toBe('#EXT-X-ENDLIST');

    const expected = screen.segments.reduce((sum, s) => sum + (s.endMs - s.startMs), 0) / 1000;
    const url = `${harness.url}/api/v1/recordings/${screen.recordingId}/playlist.m3u8`;
    const duration = await ffprobeDuration(url, token);
    expect(Math.abs(duration - expected)).toBeLessThan(1);
    await expect(ffprobeDuration(url)).rejects.toThrow();
  });

  it('limits the playlist to the segments covering from/to', async () => {
    const third = screen.segments[2]!;
    const fourth = screen.segments[3]!;
    const res = await get(
      harness,
      `/api/v1/recordings/${screen.recordingId}/playlist.m3u8?from=${third.startMs + 10}&to=${fourth.endMs - 10}`,
      token,
    );
    const uris = (await res.text()).split('\n').filter((l) => l.startsWith('segments/'));
    expect(uris).toEqual([`segments/${third.seq}.m4s`, `segments/${fourth.seq}.m4s`]);
  });

  it('streams the init segment and segments with exact bytes and Range support', async () => {
    const segment = screen.segments[1]!;
    const whole = await get(
      harness,
      `/api/v1/recordings/${screen.recordingId}/segments/${segment.seq}`,
      token,
    );
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(whole.headers.get('content-length')).toBe(String(segment.size));
    const bytes = await bytesOf(whole);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(segment.sha256);

    const part = await get(
      harness,
      `/api/v1/recordings/${screen.recordingId}/segments/${segment.seq}.m4s`,
      token,
      { range: 'bytes=100-1099' },
    );
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-1099/${segment.size}`);
    expect(part.headers.get('content-length')).toBe('1000');
    expect((await bytesOf(part)).equals(bytes.subarray(100, 1100))).toBe(true);

    const tail = await get(
      harness,
      `/api/v1/recordings/${screen.recordingId}/segments/${segment.seq}`,
      token,
      {
        range: 'bytes=-500',
      },
    );
    expect(tail.status).toBe(206);
    expect((await bytesOf(tail)).equals(bytes.subarray(bytes.length - 500))).toBe(true);

    const open = await get(
      harness,
      `/api/v1/recordings/${screen.recordingId}/segments/${segment.seq}`,
      token,
      {
        range: `bytes=${segment.size - 10}-`,
      },
    );
    expect(open.status).toBe(206);
    expect((await bytesOf(open)).equals(bytes.subarray(segment.size - 10))).toBe(true);

    for (const bad of [`bytes=${segment.size}-`, 'bytes=20-10', 'items=0-1', 'bytes=x-y']) {
      const res = await get(
        harness,
        `/api/v1/recordings/${screen.recordingId}/segments/${segment.seq}`,
        token,
        {
          range: bad,
        },
      );
      expect({ bad, status: res.status }).toEqual({ bad, status: 416 });
      expect(res.headers.get('content-range')).toBe(`bytes */${segment.size}`);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        'range_not_satisfiable',
      );
    }

    const init = await get(harness, `/api/v1/recordings/${screen.recordingId}/init.mp4`, token, {
      range: 'bytes=0-7',
    });
    expect(init.status).toBe(206);
    expect((await bytesOf(init)).subarray(4, 8).toString('latin1')).toBe('ftyp');
    const missing = await get(
      harness,
      `/api/v1/recordings/${screen.recordingId}/segments/99999`,
      token,
    );
    expect(missing.status).toBe(404);
  });

  it('exports a clip as one MP4 of the requested duration (within a segment), audited', async () => {
    const first = screen.segments[1]!;
    const last = screen.segments[3]!;
    const from = first.startMs + 1000;
    const to = last.endMs - 1000;
    const res = await get(
      harness,
      `/api/v1/recordings/${screen.recordingId}/export?from=${from}&to=${to}`,
      token,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/mp4');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="recording-${screen.recordingId}-${from}-${to}.mp4"`,
    );
    const file = path.join(work, 'clip.mp4');
    await writeFile(file, await bytesOf(res));
    const duration = await ffprobeDuration(file);
    const longest = Math.max(...screen.segments.map((s) => s.endMs - s.startMs)) / 1000;
    expect(Math.abs(duration - (to - from) / 1000)).toBeLessThanOrEqual(longest);
    const { stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'format=format_name',
      '-of',
      'csv=p=0',
      file,
    ]);
    expect(stdout).toContain('mp4');

    const audit = (await readStream(harness.nc, harness.name, 'AUDIT')).map((m) =>
      m.json<{ action: string; target: { id: string } }>(),
    );
    expect(
      audit.filter((a) => a.action === 'recording.export' && a.target.id === screen.recordingId),
    ).toHaveLength(1);
    expect(
      audit.filter((a) => a.action === 'recording.view' && a.target.id === screen.recordingId),
    ).toHaveLength(1);
  });

  it('serves a terminal recording as one asciicast v2 document, whole or as a rebased clip', async () => {
    const res = await get(harness, `/api/v1/recordings/${terminal.recordingId}/asciicast`, token);
    expect(res.status).toBe(200);
    const lines = (await res.text()).trimEnd().split('\n');
    const header = JSON.parse(lines[0]!) as { version: number; width: number };
    expect(header.version).toBe(2);
    const events = lines.slice(1).map((l) => JSON.parse(l) as [number, string, string]);
    expect(events.length).toBeGreaterThan(5);
    expect(events.every((e) => typeof e[0] === 'number' && e[1] === 'o')).toBe(true);
    const times = events.map((e) => e[0]);
    expect(times).toEqual([...times].sort((a, b) => a - b));

    const origin = terminal.segments[0]!.startMs;
    const from = origin + 10_000;
    const to = origin + 20_000;
    const clip = await get(
      harness,
      `/api/v1/recordings/${terminal.recordingId}/asciicast?from=${from}&to=${to}`,
      token,
    );
    const clipLines = (await clip.text()).trimEnd().split('\n');
    expect((JSON.parse(clipLines[0]!) as { version: number }).version).toBe(2);
    const clipTimes = clipLines.slice(1).map((l) => (JSON.parse(l) as [number])[0]);
    expect(clipTimes.every((t) => t >= 0 && t <= 10)).toBe(true);
    const inWindow = times.filter((t) => t * 1000 >= 10_000 && t * 1000 <= 20_000);
    expect(clipTimes).toHaveLength(inWindow.length);

    const exported = await get(harness, `/api/v1/recordings/${terminal.recordingId}/export`, token);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toBe(
      `attachment; filename="recording-${terminal.recordingId}.cast"`,
    );
    expect((await exported.text()).trimEnd().split('\n')).toEqual(lines);
  });

  it('refuses the wrong player for a recording kind', async () => {
    const playlist = await get(
      harness,
      `/api/v1/recordings/${terminal.recordingId}/playlist.m3u8`,
      token,
    );
    expect(playlist.status).toBe(409);
    const cast = await get(harness, `/api/v1/recordings/${screen.recordingId}/asciicast`, token);
    expect(cast.status).toBe(409);
  });

  it('answers search, session, events and metrics from the real indexer', async () => {
    const detail = await get(harness, `/api/v1/sessions/${screen.sessionId}`, token);
    expect(detail.status).toBe(200);
    const session = (await detail.json()) as { user: string; host: string };
    const search = await get(
      harness,
      `/api/v1/sessions?user=${encodeURIComponent(session.user)}`,
      token,
    );
    const found = (await search.json()) as { sessions: { sessionId: string }[]; facets: unknown };
    expect(found.sessions.map((s) => s.sessionId)).toContain(screen.sessionId);
    expect(found.facets).toBeDefined();
    const events = await get(harness, `/api/v1/sessions/${screen.sessionId}/events`, token);
    expect(events.status).toBe(200);
    expect(((await events.json()) as { events: unknown[] }).events.length).toBeGreaterThan(0);
    const metrics = await get(harness, `/api/v1/sessions/${screen.sessionId}/metrics`, token);
    expect(metrics.status).toBe(200);
  });

  it('never sends altered segment bytes as a complete answer, and refuses to export them', async () => {
    const segment = screen.segments[2]!;
    const original = await harness.store.get(segment.key);
    const chunks: Buffer[] = [];
    for await (const chunk of original.body) chunks.push(chunk as Buffer);
    const altered = Buffer.concat(chunks);
    altered[altered.length - 1] = altered[altered.length - 1]! ^ 0xff;
    await harness.store.put(segment.key, altered);

    const url = `${harness.url}/api/v1/recordings/${screen.recordingId}/segments/${segment.seq}`;
    const outcome = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
      .then(
        async (res) =>
          res.status === 200 ? bytesOf(res).then(() => 'complete') : `status ${res.status}`,
        () => 'cut',
      )
      .catch(() => 'cut');
    expect(outcome).toBe('cut');

    const exported = await get(
      harness,
      `/api/v1/recordings/${screen.recordingId}/export?from=${segment.startMs}&to=${segment.endMs}`,
      token,
    );
    expect(exported.status).toBe(502);
    expect(((await exported.json()) as { error: { code: string } }).error.code).toBe('integrity');
  });
});
