/**
 * The terminal-state routes against the real api, PostgreSQL, NATS and S3 test server (the
 * catalogue is the fixture responder on real NATS; the cast segments are real objects):
 * the screen at T is exact when it depends on output long before T, only the segments
 * before T are read, state + the asciicast from T redraw the same screen as replaying
 * everything, and a share's state shows nothing from before its clip.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Terminal } from '@xterm/headless';
import { adminToken, type ApiHarness, get, startApi } from '../../test/api-harness';

const sessionId = randomUUID();
const agentId = randomUUID();
const terminalId = randomUUID();
const screenId = randomUUID();
const SEGMENT_MS = 10_000;
const SEGMENTS = 12;

function sha(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function line(seconds: number, data: string): string {
  return `${JSON.stringify([seconds, 'o', data])}\n`;
}

/**
 * A full-screen program: at 1 s it switches to the alternate screen and draws a title and
 * a frame once; afterwards it only rewrites one status line every 2.5 s. The screen at
 * 95 s still shows the title drawn 94 s earlier.
 */
function castSegment(seq: number): string {
  let text = '';
  if (seq === 0) {
    text += '{"version":2,"width":60,"height":12,"timestamp":1904000000}\n';
    text += line(0.5, 'plain shell output before the program\r\n');
    text += line(1, '\x1b[?1049h\x1b[2J\x1b[H\x1b[1;33mQUARTERLY LEDGER\x1b[0m');
    text += line(1.2, '\x1b[3;1H+---------------+\x1b[4;1H| account 7731  |');
  }
  // A busy stretch of output on row 10 (over 64 KiB a segment): the api keeps checkpoints.
  text += line(seq * 10 + 1.5, `\x1b[10;1H${`${'.'.repeat(58)}${seq % 10}\r`.repeat(1200)}`);
  for (let i = 0; i < 4; i++) {
    const seconds = seq * 10 + 2.5 * i + (seq === 0 && i === 0 ? 2 : 0);
    text += line(seconds, `\x1b[8;1H\x1b[2Ktick ${String(seq * 4 + i).padStart(3, '0')}`);
  }
  return text;
}

interface State {
  atMs: number;
  width: number;
  height: number;
  data: string;
}

/** What a player's terminal shows after writing `data` into a fresh one of that size. */
async function screenOf(state: { width: number; height: number }, ...writes: string[]) {
  const term = new Terminal({ cols: state.width, rows: state.height, allowProposedApi: true });
  for (const data of writes) await new Promise<void>((resolve) => term.write(data, resolve));
  const rows: string[] = [];
  const buffer = term.buffer.active;
  for (let y = 0; y < term.rows; y++) {
    rows.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
  }
  const result = {
    rows,
    alternate: buffer.type === 'alternate',
    cursor: [buffer.cursorX, buffer.cursorY],
  };
  term.dispose();
  return result;
}

/** The output lines of an asciicast answer, in order. */
function outputOf(cast: string): string[] {
  return cast
    .split('\n')
    .filter((l) => l.startsWith('['))
    .map((l) => JSON.parse(l) as [number, string, string])
    .filter((e) => e[1] === 'o')
    .map((e) => e[2]);
}

describe('terminal state at a moment (real api, PostgreSQL, NATS, S3)', () => {
  let harness: ApiHarness;
  let token: string;
  const casts: string[] = [];

  async function state(path: string, bearer?: string): Promise<State> {
    const res = await get(harness, path, bearer);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as State;
  }

  beforeAll(async () => {
    harness = await startApi('api-terminal-state');
    token = await adminToken(harness);
    const base = `recordings/2030/05/06/${terminalId}`;
    const segments = [];
    for (let seq = 0; seq < SEGMENTS; seq++) {
      const text = castSegment(seq);
      casts.push(text);
      const bytes = Buffer.from(text);
      const key = `${base}/${seq}.cast`;
      await harness.store.put(key, bytes);
      // The last segment's stored bytes do not match its catalogued hash: reading it is a
      // 502, so a state before it proves the route never read it.
      const digest = seq === SEGMENTS - 1 ? sha(Buffer.from('something else')) : sha(bytes);
      segments.push({
        seq,
        kind: 'cast' as const,
        key,
        size: bytes.length,
        sha256: digest,
        startMs: seq * SEGMENT_MS,
        endMs: (seq + 1) * SEGMENT_MS,
      });
    }
    harness.catalog.recordings.set(terminalId, {
      recordingId: terminalId,
      sessionId,
      agentId,
      kind: 'terminal',
      startedAt: '2030-05-06T07:00:00.000Z',
      stoppedAt: '2030-05-06T07:02:00.000Z',
      live: false,
      segments,
      gaps: [],
    });
    harness.catalog.recordings.set(screenId, {
      recordingId: screenId,
      sessionId,
      agentId,
      kind: 'screen',
      startedAt: '2030-05-06T07:00:00.000Z',
      live: false,
      segments: [],
      gaps: [],
    });
  }, 120_000);

  afterAll(async () => {
    await harness?.cleanup();
  });

  it('redraws the screen at T from output long before T, reading only the segments before T', async () => {
    const at = 95_000;
    const s = await state(`/api/v1/recordings/${terminalId}/terminal-state?at=${at}`, token);
    expect(s).toMatchObject({ atMs: at, width: 60, height: 12 });
    const screen = await screenOf(s, s.data);
    expect(screen.alternate).toBe(true);
    expect(screen.rows[0]).toBe('QUARTERLY LEDGER');
    expect(screen.rows[3]).toBe('| account 7731  |');
    // Ticks at 90 and 92.5 s are before 95 s; the one at 95 s is not (it is the asciicast's
    // from 95 s on).
    expect(screen.rows[7]).toBe('tick 037');
    // The shell's screen under the program's is kept too: when the program exits, it is back.
    const exited = await screenOf(s, s.data, '\x1b[?1049l');
    expect(exited.alternate).toBe(false);
    expect(exited.rows[0]).toBe('plain shell output before the program');
    // Colours survive: the title's attributes are in the redraw.
    expect(s.data).toMatch(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*33[0-9;]*m`));
  });

  it('state at T plus the asciicast from T draws what replaying everything draws', async () => {
    const at = 61_250;
    const s = await state(`/api/v1/recordings/${terminalId}/terminal-state?at=${at}`, token);
    const rest = await get(
      harness,
      `/api/v1/recordings/${terminalId}/asciicast?from=${at}&to=109999`,
      token,
    );
    expect(rest.status).toBe(200);
    const after = outputOf(await rest.text());
    expect(after.find((l) => l.includes('tick'))).toContain('tick 025'); // 62.5 s: the first tick at or after T
    const seeked = await screenOf(s, s.data, ...after);
    const everything = casts.slice(0, SEGMENTS - 1).flatMap((c) => outputOf(c));
    const played = await screenOf(s, ...everything);
    expect(seeked).toEqual(played);
    expect(played.rows[7]).toBe('tick 043');
  });

  it('at the very start the screen is empty; at the end of a segment it holds all of it', async () => {
    const start = await state(`/api/v1/recordings/${terminalId}/terminal-state?at=0`, token);
    expect((await screenOf(start, start.data)).rows.every((r) => r === '')).toBe(true);
    const early = await state(`/api/v1/recordings/${terminalId}/terminal-state?at=1000`, token);
    const screen = await screenOf(early, early.data);
    expect(screen.alternate).toBe(false);
    expect(screen.rows[0]).toBe('plain shell output before the program');
  });

  it('refuses a bad or missing moment, the wrong kind, unknown recordings and strangers', async () => {
    const path = `/api/v1/recordings/${terminalId}/terminal-state`;
    for (const q of ['', '?at=-1', '?at=abc', '?at=1.5', '?at=1&at=2', '?at=1&x=2']) {
      const res = await get(harness, `${path}${q}`, token);
      expect([q, res.status]).toEqual([q, 400]);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('validation');
    }
    expect(
      (await get(harness, `/api/v1/recordings/${screenId}/terminal-state?at=1`, token)).status,
    ).toBe(409);
    expect(
      (await get(harness, `/api/v1/recordings/${randomUUID()}/terminal-state?at=1`, token)).status,
    ).toBe(404);
    expect((await get(harness, `${path}?at=1`)).status).toBe(401);
    // Past the altered last segment: its bytes are read and refused.
    expect((await get(harness, `${path}?at=115000`, token)).status).toBe(502);
  });

  it("a share's state holds only the clip's own output, and stays inside the clip", async () => {
    const res = await fetch(`${harness.url}/api/v1/recordings/${terminalId}/shares`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        from: 50_000,
        to: 80_000,
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      }),
    });
    expect(res.status).toBe(201);
    const { token: shareToken } = (await res.json()) as { token: string };
    const base = `/api/v1/share/${shareToken}/terminal-state`;
    const inside = await state(`${base}?at=66000`);
    const screen = await screenOf(inside, inside.data);
    expect(inside.data).not.toContain('QUARTERLY LEDGER');
    expect(inside.data).not.toContain('account 7731');
    expect(screen.rows[7]).toBe('tick 026');
    // A moment past the clip is the clip's end; before it, the clip's start (nothing yet).
    expect((await state(`${base}?at=999999`)).atMs).toBe(80_000);
    const before = await state(`${base}?at=0`);
    expect(before.atMs).toBe(50_000);
    expect((await screenOf(before, before.data)).rows.every((r) => r === '')).toBe(true);
    expect(
      (await get(harness, `/api/v1/share/srs_${'A'.repeat(43)}/terminal-state?at=1`)).status,
    ).toBe(401);
  });

  it('answers a later moment from a checkpoint of an earlier answer, exactly, without re-reading what it covers', async () => {
    const path = `/api/v1/recordings/${terminalId}/terminal-state`;
    /** The screen replaying every output line before `atMs` draws. */
    const expected = (atMs: number) =>
      screenOf(
        { width: 60, height: 12 },
        ...casts
          .flatMap((c) => c.split('\n'))
          .filter((l) => l.startsWith('['))
          .map((l) => JSON.parse(l) as [number, string, string])
          .filter((e) => e[1] === 'o' && e[0] * 1000 < atMs)
          .map((e) => e[2]),
      );
    await state(`${path}?at=95000`, token);
    // Segment 2 now fails its hash check if read: later answers must not need it.
    const recording = harness.catalog.recordings.get(terminalId)!;
    const segment2 = recording.segments[2]!;
    const digest = segment2.sha256;
    (segment2 as { sha256: string }).sha256 = 'f'.repeat(64);
    try {
      for (const at of [105_000, 97_500, 15_000]) {
        const s = await state(`${path}?at=${at}`, token);
        const screen = await screenOf(s, s.data);
        expect([at, screen]).toEqual([at, await expected(at)]);
      }
      expect(
        (await screenOf({ width: 60, height: 12 }, (await state(`${path}?at=105000`, token)).data))
          .rows[9],
      ).toBe(`${'.'.repeat(58)}0`);
    } finally {
      (segment2 as { sha256: string }).sha256 = digest;
    }
  });
});
