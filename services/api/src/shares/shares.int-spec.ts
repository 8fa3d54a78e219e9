/**
 * Share links against the real api, PostgreSQL, NATS and S3 test server (the catalogue is
 * the fixture responder on real NATS; segment bytes are real objects in the bucket):
 * create, list, open logged out, only the clip's segments, revoke, expiry, audit.
 */
import { createHash, randomUUID } from 'node:crypto';
import { HEADERS } from '@sessionrec/contracts';
import { readStream } from '@sessionrec/testing';
import { hashPassword } from '../auth/secrets';
import { adminToken, type ApiHarness, get, login, startApi } from '../../test/api-harness';

const sessionId = randomUUID();
const agentId = randomUUID();
const screenId = randomUUID();
const terminalId = randomUUID();

function sha(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

interface Created {
  shareId: string;
  token: string;
  url: string;
  fromMs: number;
  toMs: number;
  opens: number;
  createdBy: string;
}

describe('share links (real api, PostgreSQL, NATS, S3)', () => {
  let harness: ApiHarness;
  let token: string;
  const media = new Map<number, Buffer>();

  async function put(key: string, bytes: Buffer) {
    await harness.store.put(key, bytes);
    return { key, size: bytes.length, sha256: sha(bytes) };
  }

  function post(path: string, body: unknown, bearer = token) {
    return fetch(`${harness.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
      body: JSON.stringify(body),
    });
  }

  async function share(recordingId: string, fromMs: number, toMs: number): Promise<Created> {
    const res = await post(`/api/v1/recordings/${recordingId}/shares`, {
      from: fromMs,
      to: toMs,
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as Created;
  }

  async function audits(): Promise<{ action: string; actor: { type: string; id: string } }[]> {
    const messages = await readStream(harness.nc, harness.name, 'AUDIT');
    return messages
      .filter((m) => m.header?.get(HEADERS.messageType) === 'audit')
      .map((m) => m.json());
  }

  beforeAll(async () => {
    harness = await startApi('api-shares');
    token = await adminToken(harness);
    const base = `recordings/2030/05/06/${screenId}`;
    const init = await put(`${base}/init.mp4`, Buffer.from('init bytes'));
    const segments = [];
    for (let seq = 1; seq <= 6; seq++) {
      const bytes = Buffer.from(`media segment ${seq} `.repeat(20));
      media.set(seq, bytes);
      // seq 1 covers [0, 6000), seq 2 [6000, 12000), ...
      const ref = await put(`${base}/${seq}.m4s`, bytes);
      segments.push({
        seq,
        kind: 'media' as const,
        ...ref,
        startMs: (seq - 1) * 6000,
        endMs: seq * 6000,
      });
    }
    harness.catalog.recordings.set(screenId, {
      recordingId: screenId,
      sessionId,
      agentId,
      kind: 'screen',
      startedAt: '2030-05-06T07:00:00.000Z',
      stoppedAt: '2030-05-06T07:00:36.000Z',
      live: false,
      init,
      segments,
      gaps: [],
    });
    const tbase = `recordings/2030/05/06/${terminalId}`;
    const cast0 = Buffer.from(
      '{"version":2,"width":90,"height":30,"timestamp":1904000000}\n[1.0,"o","one\\r\\n"]\n[5.0,"o","five\\r\\n"]\n',
    );
    const cast1 = Buffer.from('[11.0,"o","eleven\\r\\n"]\n[15.0,"o","fifteen\\r\\n"]\n');
    harness.catalog.recordings.set(terminalId, {
      recordingId: terminalId,
      sessionId,
      agentId,
      kind: 'terminal',
      startedAt: '2030-05-06T07:00:00.000Z',
      stoppedAt: '2030-05-06T07:00:20.000Z',
      live: false,
      segments: [
        {
          seq: 0,
          kind: 'cast',
          ...(await put(`${tbase}/0.cast`, cast0)),
          startMs: 0,
          endMs: 10_000,
        },
        {
          seq: 1,
          kind: 'cast',
          ...(await put(`${tbase}/1.cast`, cast1)),
          startMs: 10_000,
          endMs: 20_000,
        },
      ],
      gaps: [],
    });
  }, 120_000);

  afterAll(async () => {
    await harness?.cleanup();
  });

  it('creates a share, keeps only its hash, lists it without the token', async () => {
    const created = await share(screenId, 7000, 17_000);
    expect(created.token).toMatch(/^srs_[A-Za-z0-9_-]{43}$/);
    expect(created.url).toBe(`/share/${created.token}`);
    expect(created).toMatchObject({ fromMs: 7000, toMs: 17_000, opens: 0, createdBy: 'admin' });
    const stored = await harness.pg.query<{ token_hash: string }>(
      `SELECT token_hash FROM "${harness.schema}".shares WHERE id = $1`,
      [created.shareId],
    );
    expect(stored.rows[0]?.token_hash).toBe(sha(Buffer.from(created.token)));
    const list = await get(harness, `/api/v1/recordings/${screenId}/shares`, token);
    const body = (await list.json()) as { shares: Record<string, unknown>[] };
    expect(body.shares.map((s) => s.shareId)).toContain(created.shareId);
    expect(JSON.stringify(body)).not.toContain(created.token);
  });

  it('refuses bad requests with the field named, unknown recordings, and strangers', async () => {
    const bad = await post(`/api/v1/recordings/${screenId}/shares`, {
      from: 9000,
      to: 1000,
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(
      /^body\.to:/,
    );
    const unknown = await post(`/api/v1/recordings/${randomUUID()}/shares`, {
      from: 0,
      to: 1000,
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(unknown.status).toBe(404);
    const anonymous = await fetch(`${harness.url}/api/v1/recordings/${screenId}/shares`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: 0, to: 1000, expiresAt: new Date().toISOString() }),
    });
    expect(anonymous.status).toBe(401);
  });

  it('plays only the clip to someone not signed in, and audits each open', async () => {
    const created = await share(screenId, 7000, 17_000);
    const base = `/api/v1/share/${created.token}`;
    const open = await get(harness, base);
    expect(open.status).toBe(200);
    expect(open.headers.get('cache-control')).toBe('no-store');
    const clip = (await open.json()) as { kind: string; segments: { seq: number }[] };
    expect(clip.kind).toBe('screen');
    expect(clip.segments.map((s) => s.seq)).toEqual([2, 3]);

    const playlist = await (await get(harness, `${base}/playlist.m3u8`)).text();
    expect(playlist.split('\n').filter((l) => l.startsWith('segments/'))).toEqual([
      'segments/2.m4s',
      'segments/3.m4s',
    ]);
    expect(playlist).toContain('#EXT-X-ENDLIST');
    expect((await get(harness, `${base}/init.mp4`)).status).toBe(200);
    const inside = await get(harness, `${base}/segments/2.m4s`);
    expect(inside.status).toBe(200);
    expect(Buffer.from(await inside.arrayBuffer()).equals(media.get(2)!)).toBe(true);
    const ranged = await get(harness, `${base}/segments/3`, undefined, { range: 'bytes=0-9' });
    expect(ranged.status).toBe(206);
    for (const seq of [1, 4, 5, 6, 99]) {
      expect((await get(harness, `${base}/segments/${seq}`)).status).toBe(404);
    }
    // Nothing else of the recording or the system opens with it.
    for (const path of [
      `/api/v1/recordings/${screenId}/playlist.m3u8`,
      `/api/v1/recordings/${screenId}/segments/1`,
      `/api/v1/recordings/${screenId}/export`,
      `/api/v1/sessions/${sessionId}`,
      '/api/v1/sessions',
    ]) {
      expect((await get(harness, path, created.token)).status).toBe(401);
      expect(
        (await get(harness, path, undefined, { cookie: `sessionrec_session=${created.token}` }))
          .status,
      ).toBe(401);
    }
    expect((await get(harness, `${base}/asciicast`)).status).toBe(409);

    await get(harness, base);
    const actions = await audits();
    const opens = actions.filter(
      (a) => a.action === 'share.open' && a.actor.id === created.shareId,
    );
    expect(opens).toHaveLength(2);
    expect(opens[0]?.actor.type).toBe('share-link');
    expect(
      actions.some((a) => a.action === 'recording.view' && a.actor.id === created.shareId),
    ).toBe(true);
    expect(actions.some((a) => a.action === 'share.create')).toBe(true);
    const listed = (await (
      await get(harness, `/api/v1/recordings/${screenId}/shares`, token)
    ).json()) as { shares: { shareId: string; opens: number }[] };
    expect(listed.shares.find((s) => s.shareId === created.shareId)?.opens).toBe(2);
  });

  it('serves a terminal clip rebased to its start, never beyond it', async () => {
    const created = await share(terminalId, 4000, 12_000);
    const base = `/api/v1/share/${created.token}`;
    const clip = (await (await get(harness, base)).json()) as {
      segments: { startMs: number; endMs: number }[];
    };
    expect(clip.segments).toEqual([{ seq: 0, startMs: 4000, endMs: 12_000 }]);
    const lines = (await (await get(harness, `${base}/asciicast`)).text()).trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ width: 90, height: 30 });
    expect(lines.slice(1).map((l) => JSON.parse(l) as unknown[])).toEqual([
      [1, 'o', 'five\r\n'],
      [7, 'o', 'eleven\r\n'],
    ]);
    // Asking for more than the clip gets the clip.
    const wide = await (await get(harness, `${base}/asciicast?from=0&to=20000`)).text();
    expect(wide).not.toContain('one');
    expect(wide).not.toContain('fifteen');
    expect((await get(harness, `${base}/playlist.m3u8`)).status).toBe(409);
  });

  it('stops working when revoked or expired; only its maker or an admin revokes', async () => {
    const revoked = await share(screenId, 0, 6000);
    await harness.pg.query(
      `INSERT INTO "${harness.schema}".users (id, username, password_hash, roles)
       VALUES ($1, 'viewer', $2, '{investigator}')`,
      [randomUUID(), await hashPassword('viewer password 1')],
    );
    const viewer = (
      (await (await login(harness, 'viewer', 'viewer password 1')).json()) as {
        token: string;
      }
    ).token;
    const del = (bearer: string, id: string) =>
      fetch(`${harness.url}/api/v1/recordings/${screenId}/shares/${id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${bearer}` },
      });
    expect((await del(viewer, revoked.shareId)).status).toBe(403);
    expect((await get(harness, `/api/v1/share/${revoked.token}`)).status).toBe(200);
    expect((await del(token, revoked.shareId)).status).toBe(204);
    expect((await del(token, randomUUID())).status).toBe(404);
    for (const path of ['', '/playlist.m3u8', '/segments/1', '/init.mp4']) {
      const res = await get(harness, `/api/v1/share/${revoked.token}${path}`);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }
    expect((await audits()).some((a) => a.action === 'share.revoke')).toBe(true);

    const expired = await share(screenId, 0, 6000);
    await harness.pg.query(
      `UPDATE "${harness.schema}".shares SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [expired.shareId],
    );
    expect((await get(harness, `/api/v1/share/${expired.token}`)).status).toBe(401);
    for (const forged of [`srs_${'A'.repeat(43)}`, 'srs_short', '..%2f..%2fetc', randomUUID()]) {
      expect((await get(harness, `/api/v1/share/${forged}/playlist.m3u8`)).status).toBe(401);
    }
  });
});
