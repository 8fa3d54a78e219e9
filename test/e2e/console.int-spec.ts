/**
 * The web console end to end, in real Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core) against the real stack: sign in, search, open a desktop and a terminal
 * recording, jump to an event, share a clip and open it logged out. Screenshots go to
 * test-artifacts/screenshots/ for a person to look at.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Locator,
  type Page,
} from 'playwright-core';
import { waitFor } from '@sessionrec/testing';
import { ADMIN_PASSWORD, type Stack, startStack } from './stack';

const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts');
const SHOTS = path.join(ARTIFACTS, 'screenshots');
/** Wall-clock figures of this run, written beside the screenshots; never asserted. */
const timings: Record<string, number> = {};
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * What the checks read in the page. Predicates run in the browser as functions (the
 * console's CSP forbids evaluating strings), typed here without the DOM library.
 */
interface VideoLike {
  currentTime: number;
  playbackRate: number;
  readyState: number;
  seeking: boolean;
}
/** What the marker check reads of a marker element (the tests carry no DOM types). */
interface MarkerElement {
  getBoundingClientRect(): { left: number; top: number; width: number; height: number };
}

/**
 * The marker nearest the middle that no other marker covers (events a few hundred ms
 * apart share pixels; a person clicks the one on top). The timeline is scrolled into view
 * first, as a person scrolls to it: below the fold nothing is "on top" of anything.
 */
async function uncoveredMiddleMarker(markers: Locator): Promise<Locator> {
  await markers.first().scrollIntoViewIfNeeded();
  const uncovered = await markers.evaluateAll((els: unknown[]) =>
    els.map((el) => {
      const r = (el as MarkerElement).getBoundingClientRect();
      const doc = (globalThis as unknown as PageGlobal).document as unknown as {
        elementFromPoint(x: number, y: number): unknown;
      };
      return doc.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === el;
    }),
  );
  const middle = Math.floor(uncovered.length / 2);
  const candidates = uncovered
    .map((free, i) => (free ? i : -1))
    .filter((i) => i >= 0)
    .sort((a, b) => Math.abs(a - middle) - Math.abs(b - middle));
  expect(candidates.length).toBeGreaterThan(0);
  return markers.nth(candidates[0]!);
}

interface PageGlobal {
  document: {
    querySelector(selector: string): { getAttribute(name: string): string | null } | null;
  };
}

interface Segment {
  seq: number;
  startMs: number;
  endMs: number;
}
interface SessionRow {
  sessionId: string;
  protocol: string | null;
  recordings: { recordingId: string; kind: 'screen' | 'terminal' }[];
}

/** Where a session time lands in the played media: segments play back to back. */
function mediaPosition(segments: Segment[], offsetMs: number): number {
  let position = 0;
  for (const s of segments) {
    if (offsetMs < s.startMs) return position;
    if (offsetMs <= s.endMs) return position + offsetMs - s.startMs;
    position += s.endMs - s.startMs;
  }
  return position;
}

describe('web console end to end (Chromium, real api, ingest, indexer, policy, NATS, PostgreSQL, S3)', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let token: string;
  let desktop: { sessionId: string; recordingId: string; segments: Segment[] };
  let terminal: { sessionId: string; recordingId: string };

  async function api<T>(p: string): Promise<T> {
    const res = await fetch(`${stack.apiUrl}${p}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (res.status !== 200) throw new Error(`${p}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  async function shot(p: Page, name: string): Promise<void> {
    await p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  }

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    stack = await startStack('console-e2e');
    await stack.simulate('desktop', 1, 90);
    await stack.simulate('terminal', 1, 60);
    const login = await fetch(`${stack.apiUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    token = ((await login.json()) as { token: string }).token;
    await waitFor(
      async () => {
        const { sessions } = await api<{ sessions: SessionRow[] }>('/api/v1/sessions');
        const recs = sessions.flatMap((s) => s.recordings.map((r) => ({ ...r, s })));
        const screen = recs.find((r) => r.kind === 'screen');
        const term = recs.find((r) => r.kind === 'terminal');
        if (!screen || !term) return false;
        const detail = await api<{ live: boolean; segments: Segment[] }>(
          `/api/v1/recordings/${screen.recordingId}?limit=2000`,
        );
        const tdetail = await api<{ live: boolean }>(`/api/v1/recordings/${term.recordingId}`);
        if (detail.live || tdetail.live || detail.segments.length < 10) return false;
        desktop = {
          sessionId: screen.s.sessionId,
          recordingId: screen.recordingId,
          segments: detail.segments,
        };
        terminal = { sessionId: term.s.sessionId, recordingId: term.recordingId };
        return true;
      },
      90_000,
      'a desktop and a terminal recording catalogued and stopped',
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--autoplay-policy=no-user-gesture-required',
      ],
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
  }, 300_000);

  afterAll(async () => {
    await writeFile(
      path.join(ARTIFACTS, 'console-timings.json'),
      `${JSON.stringify({ ...timings, limitMs: 1000 }, null, 2)}\n`,
    ).catch(() => undefined);
    await browser?.close();
    await stack?.stop();
  }, 60_000);

  it('signs in (the sign-in page first, then search)', async () => {
    await page.goto(`${stack.apiUrl}/search?user=nobody`);
    await page.waitForURL(/\/login\?next=/);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/password/i);
    await shot(page, '01-sign-in-refused');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back where the visitor was heading, the query kept.
    await page.waitForURL(/\/search\?user=nobody$/);
    await page.getByText('No sessions match.').waitFor();
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'sessionrec_session')?.httpOnly).toBe(true);
  });

  it('searches with filters kept in the URL and shows the matching events', async () => {
    await page.goto(`${stack.apiUrl}/search`);
    const results = page.getByRole('list', { name: 'Sessions' }).locator('li.result');
    await results.first().waitFor();
    await page.getByLabel('Event type', { exact: true }).fill('app.focus');
    const submitted = Date.now();
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/event=app.focus/);
    // The filtered answer has arrived once the desktop session shows its matching events.
    await page
      .locator(`li.result[data-session="${desktop.sessionId}"] .matches li`)
      .first()
      .waitFor();
    timings.searchResultsMs = Date.now() - submitted;
    const rows = await results.count();
    expect(rows).toBeGreaterThan(0);
    for (let i = 0; i < rows; i++) {
      const matches = results.nth(i).getByRole('list', { name: 'Matching events' }).locator('li');
      expect(await matches.count()).toBeGreaterThan(0);
      for (const text of await matches.allTextContents()) expect(text).toContain('app.focus');
    }
    expect(await page.locator(`li.result[data-session="${desktop.sessionId}"]`).count()).toBe(1);
    await shot(page, '02-search-app-focus');
    // A deep link opens the same search.
    await page.goto(`${stack.apiUrl}/search?event=app.focus`);
    await results.first().waitFor();
    expect(await page.getByLabel('Event type', { exact: true }).inputValue()).toBe('app.focus');
  });

  it('opens the desktop recording and jumps to an event: playback lands within a second of it', async () => {
    const requested: string[] = [];
    const onRequest = (r: { url(): string }) => requested.push(new URL(r.url()).pathname);
    page.on('request', onRequest);
    const opened = Date.now();
    await page.goto(
      `${stack.apiUrl}/sessions/${desktop.sessionId}?recording=${desktop.recordingId}`,
    );
    const video = page.getByTestId('screen-video');
    await video.waitFor();
    await page.waitForFunction(
      () =>
        ((
          (globalThis as unknown as PageGlobal).document.querySelector(
            'video',
          ) as unknown as VideoLike | null
        )?.readyState ?? 0) >= 2,
      undefined,
      {
        timeout: 20_000,
      },
    );
    timings.playerFirstFrameMs = Date.now() - opened;
    page.off('request', onRequest);
    // The playlist fetched at start (beside the sign-in check) is the one hls.js read: once.
    const base = `/api/v1/recordings/${desktop.recordingId}`;
    expect(requested.filter((p) => p === `${base}/playlist.m3u8`)).toHaveLength(1);
    // The first media came from what the page read at start (the browser cache), not a
    // second trip: each was requested twice at most (the early read and hls.js's cache hit).
    expect(requested.filter((p) => p === `${base}/init.mp4`).length).toBeLessThanOrEqual(2);
    // The events fill in the timeline once loaded (the video does not wait for them).
    const markers = page.locator('.markers .marker');
    await markers.nth(3).waitFor();
    const target = await uncoveredMiddleMarker(markers);
    const offset = Number(await target.getAttribute('data-offset'));
    await target.click();
    await page.waitForFunction(
      () => {
        const v = (globalThis as unknown as PageGlobal).document.querySelector(
          'video',
        ) as unknown as VideoLike | null;
        return !!v && !v.seeking && v.readyState >= 2;
      },
      undefined,
      { timeout: 20_000 },
    );
    const currentTime = await video.evaluate((v) => (v as unknown as VideoLike).currentTime);
    expect(Math.abs(currentTime * 1000 - mediaPosition(desktop.segments, offset))).toBeLessThan(
      1000,
    );
    const shown = Number(await page.getByTestId('playback').getAttribute('data-current-ms'));
    expect(Math.abs(shown - offset)).toBeLessThan(1000);
    await page.getByRole('button', { name: 'Play' }).click();
    await page.getByRole('button', { name: '4×' }).click();
    await page.waitForFunction(
      (start) =>
        ((
          (globalThis as unknown as PageGlobal).document.querySelector(
            'video',
          ) as unknown as VideoLike | null
        )?.currentTime ?? 0) >
        start + 1,
      currentTime,
      {
        timeout: 20_000,
      },
    );
    expect(await video.evaluate((v) => (v as unknown as VideoLike).playbackRate)).toBe(4);
    expect(await page.getByTestId('focus-app').textContent()).not.toBe('');
    await page.getByRole('button', { name: 'Pause' }).click();
    await shot(page, '03-desktop-player');
  });

  it('opens the terminal recording and jumps to an event', async () => {
    const stateRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/terminal-state')) stateRequests.push(r.url());
    });
    const opened = Date.now();
    await page.goto(`${stack.apiUrl}/sessions/${terminal.sessionId}`);
    // The player has drawn its first screen once its first seek (to the start) completed.
    const terminalView = page.getByTestId('terminal');
    await page.locator('[data-testid=terminal][data-seeked-ms]').waitFor({ timeout: 30_000 });
    timings.terminalFirstScreenMs = Date.now() - opened;
    // Wait on the events being in (not on time): the markers are drawn from them.
    const markers = page.locator('.markers .marker');
    await markers.first().waitFor({ timeout: 30_000 });
    const target = await uncoveredMiddleMarker(markers);
    const offset = Number(await target.getAttribute('data-offset'));
    await target.click();
    // The seek has completed at the marker: the screen there is drawn (a slow machine only
    // takes longer to get here).
    await page
      .locator(`[data-testid=terminal][data-seeked-ms="${offset}"]`)
      .waitFor({ timeout: 30_000 });
    const shown = Number(await page.getByTestId('playback').getAttribute('data-current-ms'));
    expect(Math.abs(shown - offset)).toBeLessThan(1000);
    expect(((await terminalView.locator('.xterm-rows').textContent()) ?? '').trim()).not.toBe('');
    await shot(page, '04-terminal-player');
    // Back to an earlier event: the screen there comes from the api's terminal state at that
    // moment (not a replay of the output before it), then the asciicast from it.
    const earlier = markers.nth(1);
    const earlierOffset = Number(await earlier.getAttribute('data-offset'));
    expect(earlierOffset).toBeLessThan(offset);
    await earlier.click();
    await page
      .locator(`[data-testid=terminal][data-seeked-ms="${earlierOffset}"]`)
      .waitFor({ timeout: 30_000 });
    expect(stateRequests.some((u) => u.includes(`at=${earlierOffset}`))).toBe(true);
    await waitFor(
      async () => ((await terminalView.locator('.xterm-rows').textContent()) ?? '').trim() !== '',
      10_000,
      'the redrawn screen at the earlier event',
    );
    // Free text that only the terminal output holds (df's header): a terminal-output match.
    await page.goto(`${stack.apiUrl}/search?q=Filesystem`);
    const match = page
      .locator(`li.result[data-session="${terminal.sessionId}"] .matches li`)
      .first();
    await match.waitFor();
    expect(await match.textContent()).toContain('terminal output');
    expect(await match.textContent()).toContain('Filesystem');
  });

  it('shares a clip that plays logged out, while the rest of the recording and the API refuse', async () => {
    await page.goto(
      `${stack.apiUrl}/sessions/${desktop.sessionId}?recording=${desktop.recordingId}`,
    );
    // Once the video shows a frame and the events are in, the layout no longer moves.
    await page.waitForFunction(
      () =>
        ((
          (globalThis as unknown as PageGlobal).document.querySelector(
            'video',
          ) as unknown as VideoLike | null
        )?.readyState ?? 0) >= 2,
      undefined,
      { timeout: 20_000 },
    );
    await page.locator('.markers .marker').first().waitFor();
    const track = page.getByTestId('timeline-track');
    const box = (await track.boundingBox())!;
    // Drag across the middle fifth of the timeline.
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.getByTestId('timeline-selection').waitFor();
    await page.getByRole('button', { name: 'Create link' }).click();
    const url = await page.getByTestId('share-url').inputValue();
    expect(url).toMatch(/\/share\/srs_[A-Za-z0-9_-]{43}$/);
    await page.getByRole('table', { name: 'Shares of this recording' }).waitFor();
    await shot(page, '05-share-created');
    const shares = await api<{ shares: { fromMs: number; toMs: number }[] }>(
      `/api/v1/recordings/${desktop.recordingId}/shares`,
    );
    const clip = shares.shares[0]!;
    const inClip = desktop.segments.filter((s) => s.endMs > clip.fromMs && s.startMs < clip.toMs);
    const outside = desktop.segments.filter((s) => !inClip.includes(s));
    expect(inClip.length).toBeGreaterThan(0);
    expect(outside.length).toBeGreaterThan(0);

    const stranger = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    try {
      const visitor = await stranger.newPage();
      const requested: string[] = [];
      visitor.on('request', (r) => requested.push(new URL(r.url()).pathname));
      await visitor.goto(url);
      await visitor.getByTestId('screen-video').waitFor();
      await visitor.waitForFunction(
        () =>
          ((
            (globalThis as unknown as PageGlobal).document.querySelector(
              'video',
            ) as unknown as VideoLike | null
          )?.readyState ?? 0) >= 2,
        undefined,
        {
          timeout: 20_000,
        },
      );
      await visitor.getByRole('button', { name: 'Play' }).click();
      await visitor.waitForFunction(
        () =>
          ((
            (globalThis as unknown as PageGlobal).document.querySelector(
              'video',
            ) as unknown as VideoLike | null
          )?.currentTime ?? 0) > 0.5,
        undefined,
        {
          timeout: 20_000,
        },
      );
      await shot(visitor, '06-share-logged-out');
      const apiCalls = requested.filter((p) => p.startsWith('/api/'));
      expect(apiCalls.length).toBeGreaterThan(0);
      expect(apiCalls.every((p) => p.startsWith('/api/v1/share/'))).toBe(true);
      const statuses = await visitor.evaluate(
        async ({ rid, sid, share, outsideSeq, insideSeq }) => {
          const status = async (p: string) => (await fetch(p)).status;
          return {
            recordingPlaylist: await status(`/api/v1/recordings/${rid}/playlist.m3u8`),
            recordingSegment: await status(`/api/v1/recordings/${rid}/segments/${insideSeq}`),
            session: await status(`/api/v1/sessions/${sid}`),
            search: await status('/api/v1/sessions'),
            shareOutside: await status(`${share}/segments/${outsideSeq}`),
            shareInside: await status(`${share}/segments/${insideSeq}`),
          };
        },
        {
          rid: desktop.recordingId,
          sid: desktop.sessionId,
          share: `/api/v1/share/${url.split('/share/')[1]}`,
          outsideSeq: outside[0]!.seq,
          insideSeq: inClip[0]!.seq,
        },
      );
      expect(statuses).toEqual({
        recordingPlaylist: 401,
        recordingSegment: 401,
        session: 401,
        search: 401,
        shareOutside: 404,
        shareInside: 200,
      });
      // The signed-in console pages send a stranger to the sign-in page; once signed in
      // there, the player opens and plays (what it began before the sign-in was refused).
      await visitor.goto(
        `${stack.apiUrl}/sessions/${desktop.sessionId}?recording=${desktop.recordingId}`,
      );
      await visitor.waitForURL(/\/login/);
      await visitor.getByLabel('User name').fill('admin');
      await visitor.getByLabel('Password').fill(ADMIN_PASSWORD);
      await visitor.getByRole('button', { name: 'Sign in' }).click();
      await visitor.waitForURL(new RegExp(`/sessions/${desktop.sessionId}`));
      await visitor.waitForFunction(
        () =>
          ((
            (globalThis as unknown as PageGlobal).document.querySelector(
              'video',
            ) as unknown as VideoLike | null
          )?.readyState ?? 0) >= 2,
        undefined,
        { timeout: 20_000 },
      );
    } finally {
      await stranger.close();
    }

    // Revoked, the link stops working.
    await page.getByRole('button', { name: 'Revoke' }).first().click();
    await page.getByText('revoked').waitFor();
    const after = await fetch(`${stack.apiUrl}/api/v1/share/${url.split('/share/')[1]}`);
    expect(after.status).toBe(401);
  });

  it('edits the recording policy in its form: errors at their fields, rules reordered and removed, published and tested', async () => {
    await page.goto(`${stack.apiUrl}/policies?kind=recording`);
    await page.getByText('No version published yet.').waitFor();
    const form = page.getByRole('form', { name: 'Edit the recording policy' });
    await form.getByLabel('Policy name').fill('Servers');
    await form.getByRole('button', { name: 'Add rule' }).click();
    await form.getByRole('button', { name: 'Add rule' }).click();
    const rule = (n: number) => form.getByRole('group', { name: `Rule ${n}`, exact: true });
    await rule(1).getByLabel('Rule id').fill('bad id!');
    await rule(1).getByLabel('Hosts').fill('db-[1]');
    await rule(2).getByLabel('Rule id').fill('servers');
    await rule(2).getByLabel('Hosts').fill('db-*, pg-?');
    await form.getByRole('button', { name: 'Publish new version' }).click();
    // Each error under the field it names, the field marked invalid.
    const idErrors = page.locator('#p-rules-0-id-errors');
    await idErrors.waitFor();
    expect(await idErrors.textContent()).toContain('rules[0].id');
    expect(await rule(1).getByLabel('Rule id').getAttribute('aria-invalid')).toBe('true');
    const hostErrors = page.locator('#p-rules-0-match-hosts-errors');
    expect(await hostErrors.textContent()).toContain('rules[0].match.hosts[0]');
    expect(await rule(1).getByLabel('Hosts').getAttribute('aria-invalid')).toBe('true');
    expect(await rule(2).getByLabel('Hosts').getAttribute('aria-invalid')).toBeNull();
    await shot(page, '07-policy-field-error');
    // Reorder, then remove the bad rule.
    await form.getByRole('button', { name: 'Move rule 2 up' }).click();
    expect(await rule(1).getByLabel('Rule id').inputValue()).toBe('servers');
    await form.getByRole('button', { name: 'Remove rule 2' }).click();
    expect(await form.getByRole('group', { name: /^Rule \d+$/ }).count()).toBe(1);
    await rule(1).getByLabel('Show a notice to the user').check();
    await rule(1).getByLabel('Notice text').fill('This session is recorded.');
    await form.getByRole('button', { name: 'Publish new version' }).click();
    // Published: the editor reopens on the new active version.
    await page.getByText(/Active: version \d+ by admin/).waitFor();
    expect(await rule(1).getByLabel('Hosts').inputValue()).toBe('db-*, pg-?');
    await page.getByLabel('Host', { exact: true }).fill('db-01');
    await page.getByRole('button', { name: 'Test' }).click();
    await page.getByText('Recorded: record by rule servers').waitFor();
    await page.getByLabel('Host', { exact: true }).fill('ws-01');
    await page.getByRole('button', { name: 'Test' }).click();
    await page.getByText(/^Not recorded: do-not-record/).waitFor();
    await shot(page, '07b-policy-form-published');
    // JSON stays available as the advanced editor, on the same document.
    await page.getByRole('button', { name: 'Edit as JSON (advanced)' }).click();
    expect(await page.getByLabel('rules[0]').inputValue()).toContain('"servers"');
  });

  /** The id of the element that has the focus (the first invalid field after a publish). */
  const focusedId = (p: Page) =>
    p.evaluate(
      () =>
        (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document
          .activeElement?.id ?? '',
    );

  it('edits the detection policy in its form: an api error at its field, then published and tested', async () => {
    await page.goto(`${stack.apiUrl}/policies?kind=detection`);
    await page.getByText('No version published yet.').waitFor();
    const form = page.getByRole('form', { name: 'Edit the detection policy' });
    await form.getByLabel('Policy name').fill('What hosts report');
    const defaults = form.getByRole('group', { name: 'Defaults (sessions no rule matches)' });
    const reported = defaults.getByRole('group', { name: 'Events reported' });
    for (const type of ['app.start', 'command.start', 'privilege.use', 'usb.insert']) {
      await reported.getByLabel(type, { exact: true }).check();
    }
    // Below the api's minimum (30 s): the api names the field.
    await defaults.getByLabel('Idle after (seconds)').fill('10');
    await form.getByRole('button', { name: 'Add rule' }).click();
    const rule = form.getByRole('group', { name: 'Rule 1', exact: true });
    await rule.getByLabel('Rule id').fill('db');
    await rule.getByLabel('Hosts', { exact: true }).fill('db-*');
    // Its own event list starts from the defaults; USB is not reported on database hosts.
    await rule.getByLabel('Its own list of events (instead of the default list)').check();
    const ruleEvents = rule.getByRole('group', { name: 'Events reported (rule 1)' });
    expect(await ruleEvents.getByLabel('usb.insert', { exact: true }).isChecked()).toBe(true);
    await rule.getByRole('button', { name: 'Select none: Events reported (rule 1)' }).click();
    expect(await ruleEvents.getByRole('checkbox', { checked: true }).count()).toBe(0);
    for (const type of ['app.start', 'command.start', 'privilege.use']) {
      await ruleEvents.getByLabel(type, { exact: true }).check();
    }
    await rule.getByLabel('Capture command lines').selectOption('no');
    await form.getByRole('button', { name: 'Publish new version' }).click();
    const idleErrors = page.locator('#p-defaults-options-idleThresholdSeconds-errors');
    await idleErrors.waitFor();
    expect(await idleErrors.textContent()).toContain('defaults.options.idleThresholdSeconds');
    const idle = defaults.getByLabel('Idle after (seconds)');
    expect(await idle.getAttribute('aria-invalid')).toBe('true');
    expect(await idle.getAttribute('aria-describedby')).toContain(
      'p-defaults-options-idleThresholdSeconds-errors',
    );
    expect(await focusedId(page)).toBe('p-defaults-options-idleThresholdSeconds');
    await shot(page, '16-detection-field-error');
    await idle.fill('600');
    await form.getByRole('button', { name: 'Publish new version' }).click();
    await page.getByText(/Active: version \d+ by admin/).waitFor();
    // The form reopens on the published version.
    expect(await defaults.getByLabel('Idle after (seconds)').inputValue()).toBe('600');
    expect(await rule.getByLabel('Capture command lines').inputValue()).toBe('no');
    // What a database host would report for alice: the rule decides, no USB events.
    const test = page.getByRole('form', { name: /^Test against a sample session/ });
    await test.getByLabel('Host', { exact: true }).fill('db-01');
    await test.getByRole('button', { name: 'Test' }).click();
    const result = page.locator('.test-result');
    await result.getByText(/^Decided by rule db:/).waitFor();
    expect(await result.textContent()).not.toContain('usb.insert');
    expect(await result.textContent()).toContain('command lines not captured');
    await shot(page, '17-detection-published-tested');
  });

  it('edits the response rules in their form: an api error at its field, actions added, published and tested', async () => {
    await page.goto(`${stack.apiUrl}/policies?kind=responses`);
    await page.getByText('No version published yet.').waitFor();
    const form = page.getByRole('form', { name: 'Edit the response rules' });
    await form.getByLabel('Policy name').fill('USB on tills');
    await form.getByRole('button', { name: 'Add rule' }).click();
    const rule = form.getByRole('group', { name: 'Rule 1', exact: true });
    await rule.getByLabel('Rule id').fill('usb-lock');
    await rule.getByLabel('Hosts', { exact: true }).fill('pos-*');
    // A new rule starts with one event (usb.insert) and one action (notify by e-mail).
    const event = rule.getByRole('group', { name: 'Event 1', exact: true });
    expect(await event.getByLabel('Event type').inputValue()).toBe('usb.insert');
    await event.getByLabel('Attributes').fill('vendor=Kingston*');
    // Three within no window: the api requires the window.
    await rule.getByLabel('Events needed').fill('3');
    const notify = rule.getByRole('group', { name: 'Action 1', exact: true });
    await notify.getByLabel('Recipients').fill('soc@example.com');
    await rule.getByRole('button', { name: 'Add action to rule 1' }).click();
    const lock = rule.getByRole('group', { name: 'Action 2', exact: true });
    expect(await lock.getByLabel('Action', { exact: true }).inputValue()).toBe('lock');
    await lock.getByLabel('Message to the user').fill('USB storage is not allowed on tills.');
    // Only outside the shop's opening hours, written with a time zone that does not exist.
    await rule.getByText('When: time windows and allowed hours').click();
    await rule
      .getByRole('button', { name: 'Add window to rule 1: only outside these allowed hours' })
      .click();
    const hours = rule
      .getByRole('group', { name: 'Only outside these allowed hours' })
      .getByRole('group', { name: 'Window 1', exact: true });
    await hours.getByRole('group', { name: 'Days' }).getByLabel('sat', { exact: true }).check();
    await hours.getByLabel('From').fill('09:00');
    await hours.getByLabel('To', { exact: true }).fill('19:30');
    await hours.getByLabel('Time zone').fill('Mars/Olympus_Mons');
    await form.getByRole('button', { name: 'Publish new version' }).click();
    const zoneErrors = page.locator('#p-rules-0-match-outsideHours-0-timeZone-errors');
    await zoneErrors.waitFor();
    expect(await zoneErrors.textContent()).toContain('unknown time zone');
    expect(await hours.getByLabel('Time zone').getAttribute('aria-invalid')).toBe('true');
    const windowErrors = page.locator('#p-rules-0-condition-windowSeconds-errors');
    await windowErrors.waitFor();
    expect(await windowErrors.textContent()).toContain('rules[0].condition.windowSeconds');
    expect(await rule.getByLabel('Within (seconds)').getAttribute('aria-invalid')).toBe('true');
    expect(await focusedId(page)).toBe('p-rules-0-condition-windowSeconds');
    await shot(page, '18-responses-field-error');
    await rule.getByLabel('Within (seconds)').fill('60');
    await hours.getByLabel('Time zone').fill('Europe/Paris');
    await form.getByRole('button', { name: 'Publish new version' }).click();
    await page.getByText(/Active: version \d+ by admin/).waitFor();
    expect(await rule.getByLabel('Within (seconds)').inputValue()).toBe('60');
    expect(await rule.getByRole('group', { name: /^Action \d$/ }).count()).toBe(2);
    const published = await api<{ document: { rules: { match: { outsideHours: unknown } }[] } }>(
      '/api/v1/policies/responses',
    );
    expect(published.document.rules[0]?.match.outsideHours).toEqual([
      {
        days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'],
        from: '09:00',
        to: '19:30',
        timeZone: 'Europe/Paris',
      },
    ]);
    // A Kingston stick on a till matches the rule; one on a desktop does not.
    const test = page.getByRole('form', { name: /^Test a sample event/ });
    await test.getByLabel('Event attributes').fill('vendor=Kingston DataTraveler');
    await test.getByLabel('Host', { exact: true }).fill('pos-7');
    await test.getByRole('button', { name: 'Test' }).click();
    const result = page.locator('.test-result');
    await result.getByText('Matches rule usb-lock:').waitFor();
    expect(await result.textContent()).toContain('notify, lock');
    await shot(page, '19-responses-published-tested');
    await test.getByLabel('Host', { exact: true }).fill('ws-01');
    await test.getByRole('button', { name: 'Test' }).click();
    await result.getByText('No rule matches this event.').waitFor();
    // Edited again in the reopened form: a second version.
    await rule.getByLabel('Throttle (seconds)').fill('300');
    await rule.getByLabel('Final (later rules are not evaluated for a matching event)').check();
    await form.getByRole('button', { name: 'Publish new version' }).click();
    await page.getByText(/Active: version 2 by admin/).waitFor();
    const second = await api<{
      version: number;
      document: { rules: { throttleSeconds?: number; final?: boolean }[] };
    }>('/api/v1/policies/responses');
    expect(second.version).toBe(2);
    expect(second.document.rules[0]).toMatchObject({ throttleSeconds: 300, final: true });
  });

  it('edits the viewing policy in its form: an api error at its group, rules reordered, published', async () => {
    await page.goto(`${stack.apiUrl}/policies?kind=viewing`);
    await page.getByText('No version published yet.').waitFor();
    const form = page.getByRole('form', { name: 'Edit the viewing policy' });
    await form.getByLabel('Policy name').fill('Who watches whom');
    await form.getByRole('button', { name: 'Add rule' }).click();
    await form.getByRole('button', { name: 'Add rule' }).click();
    const rule = (n: number) => form.getByRole('group', { name: `Rule ${n}`, exact: true });
    // Rule 1 names no viewer at all: the api refuses it at its viewers.
    await rule(1).getByLabel('Rule id').fill('branch-helpdesk');
    await rule(1).getByLabel('Hosts', { exact: true }).fill('branch-*');
    await rule(2).getByLabel('Rule id').fill('watchers');
    const roles = rule(2).getByRole('group', { name: 'Roles' });
    for (const role of ['admin', 'investigator', 'auditor']) {
      await roles.getByLabel(role, { exact: true }).check();
    }
    await form.getByRole('button', { name: 'Publish new version' }).click();
    const viewersErrors = page.locator('#p-rules-0-viewers-errors');
    await viewersErrors.waitFor();
    expect(await viewersErrors.textContent()).toContain('rules[0].viewers');
    expect(
      await rule(1).getByRole('group', { name: 'Who may watch' }).getAttribute('aria-invalid'),
    ).toBe('true');
    await shot(page, '20-viewing-field-error');
    // By keyboard: the focus is on the first control of the invalid group (its first role);
    // Tab to helpdesk and tick it with Space, then move rule 2 up with Enter.
    const roles1 = rule(1).getByRole('group', { name: 'Roles' });
    expect(
      await roles1
        .getByLabel('admin', { exact: true })
        .evaluate(
          (el) =>
            el ===
            (globalThis as unknown as { document: { activeElement: unknown } }).document
              .activeElement,
        ),
    ).toBe(true);
    const helpdesk = roles1.getByLabel('helpdesk', { exact: true });
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    expect(await helpdesk.isChecked()).toBe(true);
    // The rule that covers everything first (order is kept; it reads better).
    await form.getByRole('button', { name: 'Move rule 2 up' }).focus();
    await page.keyboard.press('Enter');
    expect(await rule(1).getByLabel('Rule id').inputValue()).toBe('watchers');
    await form.getByRole('button', { name: 'Publish new version' }).click();
    await page.getByText(/Active: version \d+ by admin/).waitFor();
    expect(await rule(2).getByLabel('Hosts', { exact: true }).inputValue()).toBe('branch-*');
    await shot(page, '21-viewing-published');
    // Published as the form showed it.
    const active = await api<{ document: { rules: { id: string; viewers: unknown }[] } }>(
      '/api/v1/policies/viewing',
    );
    expect(active.document.rules.map((r) => r.id)).toEqual(['watchers', 'branch-helpdesk']);
    expect(active.document.rules[1]?.viewers).toEqual({ roles: ['helpdesk'] });
    // Admin still sees every session (the rule for the watching roles covers everything).
    const { sessions } = await api<{ sessions: SessionRow[] }>('/api/v1/sessions');
    expect(sessions.length).toBeGreaterThan(1);
  });

  it('tests the viewing form against sample sessions: allowed, denied, a bad sample at its field', async () => {
    // The form is open on the version published above (watchers, then branch-helpdesk).
    const test = page.getByRole('form', { name: /^Test against a sample session/ });
    const result = page.locator('.test-result');
    // A helpdesk viewer (ticked by default) and a session on a branch host: allowed.
    expect(
      await test
        .getByRole('group', { name: 'Viewer roles' })
        .getByLabel('helpdesk', { exact: true })
        .isChecked(),
    ).toBe(true);
    await test.getByLabel('User recorded').fill('teller3');
    await test.getByLabel('Host', { exact: true }).fill('Branch-07');
    await test.getByRole('button', { name: 'Test' }).click();
    await result.getByText(/^Allowed by rule branch-helpdesk:/).waitFor();
    expect(await result.textContent()).toContain(
      'rule "branch-helpdesk" names this viewer and covers this session',
    );
    await shot(page, '21b-viewing-tested-allowed');
    // The same viewer and a head-office host: denied, saying what did not match.
    await test.getByLabel('Host', { exact: true }).fill('hq-01');
    await test.getByRole('button', { name: 'Test' }).click();
    await result.getByText(/^Denied: this viewer may not watch/).waitFor();
    expect(await result.textContent()).toContain('rule "branch-helpdesk": hosts do not match');
    await shot(page, '21c-viewing-tested-denied');
    // An empty host is refused by the api and shown at the sample's Host field, focused.
    await test.getByLabel('Host', { exact: true }).fill('');
    await test.getByRole('button', { name: 'Test' }).click();
    const hostErrors = page.locator('#p-session-host-errors');
    await hostErrors.waitFor();
    expect(await hostErrors.textContent()).toContain('session.host');
    expect(await test.getByLabel('Host', { exact: true }).getAttribute('aria-invalid')).toBe(
      'true',
    );
    expect(await focusedId(page)).toBe('p-session-host');
    await shot(page, '21d-viewing-sample-error');
  });

  it('lists only the sessions in progress, and reports the agent answering each action', async () => {
    await page.goto(`${stack.apiUrl}/live`);
    await page.getByRole('heading', { name: 'Live sessions' }).waitFor();
    // The simulated sessions have ended: none is listed as live.
    await page.getByText('No session is in progress.').waitFor();
    // A session in real time, its agent connected to the control channel.
    const live = await stack.simulateLive('terminal');
    try {
      const row = page.getByRole('table', { name: 'Live sessions' }).locator('tbody tr');
      await row.first().waitFor({ timeout: 60_000 });
      expect(await row.count()).toBe(1);
      const status = row.getByRole('status');
      /** Clicks, then waits for this action's final answer (not for a time). */
      const answered = async (label: string, click: () => Promise<void>) => {
        await click();
        // "<label>…" while posting, "<label>: sent, waiting…" until the agent answers.
        await row
          .locator('.command-status')
          .filter({ hasText: new RegExp(`^${label}: (?!sent, waiting)`) })
          .waitFor({ timeout: 90_000 });
        return {
          state: await status.getAttribute('data-state'),
          text: (await status.textContent()) ?? '',
        };
      };
      // Recorded from the start (--record always): stop, then start again.
      const stop = await answered('Stop recording', () =>
        row.getByRole('button', { name: 'Stop recording' }).click(),
      );
      expect(stop.state).toBe('acked');
      expect(stop.text).toMatch(/^Stop recording: done by the agent/);
      await row.getByText('not recorded').waitFor({ timeout: 30_000 });
      const start = await answered('Start recording', () =>
        row.getByRole('button', { name: 'Start recording' }).click(),
      );
      expect(start.state).toBe('acked');
      // The row says so at once (the catalogue lists the new recording at its first segment).
      await row.getByRole('cell', { name: 'recording', exact: true }).waitFor({ timeout: 10_000 });
      await row.getByRole('button', { name: 'Stop recording' }).waitFor();
      const lock = await answered('Lock', () => row.getByRole('button', { name: 'Lock' }).click());
      expect(lock.state).toBe('acked');
      expect(lock.text).toMatch(/^Lock: done by the agent/);
      await row.getByLabel(/^Message to /).fill('Please save your work');
      const notice = await answered('Message', () =>
        row.getByRole('button', { name: 'Send' }).click(),
      );
      expect(notice.state).toBe('acked');
      expect(notice.text).toMatch(/^Message: done by the agent/);
      await shot(page, '08-live-sessions');
      // The agent's own log: it received exactly these commands.
      expect(live.output()).toMatch(/control: stop-recording/);
      expect(live.output()).toMatch(/control: lock/);
      expect(live.output()).toMatch(/control: notice/);
      // Its session ends: it leaves the list.
      await live.stop();
      await page.getByText('No session is in progress.').waitFor({ timeout: 60_000 });
    } finally {
      await live.stop();
    }
  });

  it('fits a 1024 px laptop screen and is driven by keyboard, focus visible', async () => {
    const narrow = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    try {
      await narrow.addCookies(await context.cookies());
      const p = await narrow.newPage();
      const noSideScroll = () =>
        p.evaluate(() => {
          const root = (
            globalThis as unknown as {
              document: { documentElement: { scrollWidth: number; clientWidth: number } };
            }
          ).document.documentElement;
          return root.scrollWidth <= root.clientWidth;
        });
      await p.goto(
        `${stack.apiUrl}/sessions/${desktop.sessionId}?recording=${desktop.recordingId}`,
      );
      await p.locator('.markers .marker').first().waitFor();
      expect(await noSideScroll()).toBe(true);
      // The timeline is a slider: arrow keys move the playhead by 5 s.
      const slider = p.getByRole('slider');
      await slider.focus();
      const before = Number(await slider.getAttribute('aria-valuenow'));
      await p.keyboard.press('ArrowRight');
      await p.keyboard.press('ArrowRight');
      await p.waitForFunction(
        (want) =>
          Number(
            (globalThis as unknown as PageGlobal).document
              .querySelector('[role=slider]')
              ?.getAttribute('aria-valuenow'),
          ) >= want,
        before + 9_000,
        { timeout: 10_000 },
      );
      // The frame at the new position is decoded (what a person would see).
      await p.waitForFunction(
        () => {
          const v = (globalThis as unknown as PageGlobal).document.querySelector(
            'video',
          ) as unknown as VideoLike | null;
          return !!v && !v.seeking && v.readyState >= 2;
        },
        undefined,
        { timeout: 20_000 },
      );
      await shot(p, '10-player-1024-keyboard');
      for (const [url, name, ready] of [
        [`/search?event=app.focus`, '11-search-1024', 'li.result'],
        [`/policies?kind=recording`, '12-policy-1024', 'form.policy-form'],
        [`/policies?kind=detection`, '12b-policy-detection-1024', 'form.policy-form'],
        [`/policies?kind=responses`, '12c-policy-responses-1024', 'form.policy-form'],
        [`/policies?kind=viewing`, '12d-policy-viewing-1024', 'form.policy-form'],
        [`/live`, '13-live-1024', 'main h1'],
        [`/agents`, '14-agents-1024', 'table'],
      ] as const) {
        await p.goto(`${stack.apiUrl}${url}`);
        await p.locator(ready).first().waitFor();
        expect([url, await noSideScroll()]).toEqual([url, true]);
        await shot(p, name);
      }
      // Tabbing from the top reaches the skip link first, then the navigation.
      await p.goto(`${stack.apiUrl}/search`);
      await p.locator('li.result').first().waitFor();
      await p.keyboard.press('Tab');
      await p.keyboard.press('Tab');
      const focused = await p.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { textContent: string } | null } })
            .document.activeElement?.textContent ?? '',
      );
      expect(focused.trim().length).toBeGreaterThan(0);
      await shot(p, '15-search-focus-visible');
    } finally {
      await narrow.close();
    }
  });

  // Last: it revokes the simulator's agent.
  it('creates an enrolment token once and revokes an enrolled agent', async () => {
    await page.goto(`${stack.apiUrl}/agents`);
    const rows = page.getByRole('table', { name: 'Agents' }).locator('tbody tr');
    await rows.first().waitFor();
    await page.getByLabel('Note').fill('new web host');
    await page.getByRole('button', { name: 'Create enrolment token' }).click();
    const token = (await page.getByTestId('enrol-token').textContent()) ?? '';
    expect(token).toMatch(/^sre_[A-Za-z0-9_-]{43}$/);
    await shot(page, '09-agents-token');
    // The row of an active agent: revoke it (accepting the confirmation).
    const active = rows.filter({ hasText: 'active' }).first();
    const agentId = (await active.getAttribute('data-agent')) ?? '';
    page.once('dialog', (dialog) => void dialog.accept());
    await active.getByRole('button', { name: /^Revoke / }).click();
    await page.locator(`tr[data-agent="${agentId}"]`, { hasText: 'revoked' }).waitFor();
  });
});
