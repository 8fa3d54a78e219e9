/**
 * A desktop session end to end: `sessionrec-agent desktop` (built CLI) inside a real X
 * display (Xvfb + openbox) with real X programs driven by xdotool, the agent daemon, and
 * real policy, ingest, NATS, PostgreSQL and the S3 test server. A scripted session opens a
 * terminal and types, copies to the clipboard, opens an excluded application, plugs a
 * "USB stick", writes to a removable mount (a tmpfs), has a transfer blocked, is locked,
 * unlocked, shown a notice, goes idle, is measured over its remote-display connection,
 * has that connection dropped and is logged off. Checked: the events ingest acknowledged,
 * a recording whose init + segments decode, masked pixels where the excluded window was,
 * a blocked transfer (process stopped, partial file gone), keys not reaching applications
 * while locked.
 */
import { type ChildProcess, execFile as execFileCb, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { EVENT_TYPE_NAMES } from '@sessionrec/contracts';
import {
  type ServiceProcess,
  freePort,
  startServiceProcess,
  testDatabaseUrl,
  testNatsUrl,
  uniqueTestName,
  waitFor,
} from '@sessionrec/testing';
import { sha256Hex } from '../src/media/hash-chain';
import { AgentDaemon } from '../src/daemon/agent-daemon';
import type { AgentConfig } from '../src/daemon/config';
import {
  AGENT_BIN,
  DesktopAcked,
  XDisplay,
  decodeFrames,
  fakeSysBlock,
  frameTimes,
  mountTmpfs,
  probe,
  probeInput,
  regionStats,
  remoteClient,
  remoteDisplayServer,
  unmount,
} from './desktop-harness';
import { Platform } from './terminal-harness';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('desktop sessions under Xvfb (openbox, xterm, xclock, xdotool; policy, ingest, NATS, PostgreSQL, S3)', () => {
  const platform = new Platform(uniqueTestName('agent_desk'));
  const screen = new XDisplay(1280, 720);
  const acked = new DesktopAcked();
  let daemon: AgentDaemon | undefined;
  let mount = '';
  let mount2 = '';
  let sys: Awaited<ReturnType<typeof fakeSysBlock>> | undefined;
  let configFile = '';
  let agentConfig: AgentConfig | undefined;
  /** The first test's session and recording, for the catalogue test. */
  let first: { sessionId: string; recordingId: string } | undefined;
  let indexer: ServiceProcess | undefined;
  let api: ServiceProcess | undefined;
  let desktop: ChildProcess | undefined;
  let desktopLog = '';
  let remote: { child: ChildProcess; port: number } | undefined;
  let client: net.Socket | undefined;
  const remotePorts: number[] = [];
  /** Processes and sockets a test leaves for afterAll to end. */
  const stopAfter: (ChildProcess | net.Socket)[] = [];
  let agentId = '';

  /**
   * Starts `sessionrec-agent desktop` (the built CLI) on the test display; `until` waits
   * for a condition and says what the session process printed if it times out.
   */
  const startDesktop = () => {
    let said = '';
    const child = spawn(
      process.execPath,
      [AGENT_BIN, 'desktop', '--config', configFile, '--display', screen.display],
      { env: screen.env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr.on('data', (d: Buffer) => (said += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const until = (what: string, check: () => boolean, timeoutMs = 30_000) =>
      waitFor(() => Promise.resolve(check()), timeoutMs, what).catch((error: Error) => {
        throw new Error(`${error.message}; agent said:\n${said}`);
      });
    return { child, exited, log: () => said, until };
  };

  /** A control command for a session of this agent, and its result. */
  const control = (
    sessionId: string,
    action: string,
    params: Record<string, string> = {},
    said: () => string = () => '',
  ) => platform.command({ agentId, sessionId }, action, params, said);

  beforeAll(async () => {
    await platform.start();
    await screen.start();
  }, 120_000);

  afterAll(async () => {
    await api?.stop();
    await indexer?.stop();
    desktop?.kill('SIGKILL');
    client?.destroy();
    remote?.child.kill('SIGKILL');
    for (const thing of stopAfter) {
      if (thing instanceof net.Socket) thing.destroy();
      else thing.kill('SIGKILL');
    }
    await daemon?.stop();
    if (mount) await unmount(mount);
    if (mount2) await unmount(mount2);
    await screen.stop();
    await platform.stop();
  });

  it('records a scripted session: apps, clipboard, masked excluded app, USB, removable writes, blocked transfer, lock, notice, idle, network, disconnect, logoff', async () => {
    const work = platform.dir;
    mount = await mountTmpfs(work, 'usb-stick');
    sys = await fakeSysBlock(work);
    // The user's own remote-display server (as x11vnc is): an X client of the display.
    remote = await remoteDisplayServer({ display: screen.display });
    const remoteUser = await remoteClient(remote.port);
    client = remoteUser.socket;
    // Ports for the xrdp test, served later.
    remotePorts.push(remote.port, await freePort(), await freePort());
    const sender = setInterval(() => client?.write(Buffer.alloc(2048)), 100);

    await platform.publishPolicy({
      name: 'Desktops',
      defaultAction: { action: 'do-not-record' },
      rules: [
        {
          id: 'desktops',
          match: {},
          action: 'record',
          notice: { show: true, text: 'This desktop session is recorded.' },
          capture: {
            frameRate: 5,
            quality: 'low',
            inputCapture: false,
            excludedApplications: ['xclock'],
          },
        },
      ],
    });
    // Detection: every event, only the test's own mounts, the shortest idle threshold.
    const detection = await platform.messaging.request(
      'policy.detection.put',
      {
        v: 1,
        document: {
          name: 'Desktop test detection',
          defaults: {
            events: [...EVENT_TYPE_NAMES],
            options: { removableMountPoints: [], networkMountPoints: [], idleThresholdSeconds: 30 },
          },
          rules: [],
        },
        actor: { id: 'test', name: 'desktop-test' },
      } as never,
      { timeoutMs: 5_000 },
    );
    expect(detection).toMatchObject({ ok: true });
    const { file, config } = await platform.config('desk', {
      desktop: {
        segmentSeconds: 2,
        idleSeconds: 5,
        metricSeconds: 1,
        removableMounts: [mount],
        networkMounts: [],
        sysBlockDir: sys.dir,
        remotePorts,
      },
    });
    daemon = new AgentDaemon({
      config,
      token: platform.token,
      hostname: 'desk-host-1',
      log: (line) => {
        if (process.env.AGENT_TEST_LOG) console.error(line);
      },
      onAcked: acked.onAcked,
    });
    await daemon.start();
    configFile = file;
    agentConfig = config;
    const identity = JSON.parse(
      await readFile(path.join(config.stateDir, 'identity.json'), 'utf8'),
    ) as { agentId: string };

    desktop = spawn(
      process.execPath,
      [AGENT_BIN, 'desktop', '--config', file, '--display', screen.display],
      { env: screen.env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    desktop.stderr!.on('data', (d: Buffer) => (desktopLog += d.toString()));
    const desktopExit = new Promise<number | null>((resolve) =>
      desktop!.once('exit', (code) => resolve(code)),
    );
    const until = (what: string, check: () => boolean, timeoutMs = 30_000) =>
      waitFor(() => Promise.resolve(check()), timeoutMs, `${what}; agent said:\n${desktopLog}`);
    const event = (type: string, match: (a: Record<string, unknown>) => boolean = () => true) =>
      acked.of(type).find((e) => match(e.attributes));

    await until('session and recording acknowledged', () => acked.recordings.length === 1);
    const session = acked.sessions[0]!;
    expect(session).toMatchObject({ protocol: 'desktop', host: 'desk-host-1', user: 'root' });
    expect(acked.recordings[0]).toMatchObject({ kind: 'screen', reason: 'policy' });
    const recordingId = String(acked.recordings[0]!.recordingId);
    const sessionId = String(session.sessionId);
    first = { sessionId, recordingId };
    const startedAt = Date.parse(String(session.startedAt));
    const sessionMs = () => Date.now() - startedAt;

    // The notice from policy is on the display (xmessage is an application too).
    await until(
      'the recording notice shown',
      () => !!event('app.start', (a) => a.app === 'xmessage'),
    );

    agentId = identity.agentId;
    const command = (action: string, params: Record<string, string> = {}) =>
      control(sessionId, action, params, () => desktopLog);

    // 1. A terminal: started, focused, typed into.
    const term = screen.spawn('xterm', ['-geometry', '80x24+20+20', '-title', 'work terminal']);
    const termWindow = await screen.windowOf(term.pid!);
    await until('xterm started', () => !!event('app.start', (a) => a.pid === term.pid));
    expect(event('app.start', (a) => a.pid === term.pid)!.attributes).toMatchObject({
      app: 'xterm',
      windowClass: 'XTerm',
      windowTitle: 'work terminal',
    });
    expect(String(event('app.start', (a) => a.pid === term.pid)!.attributes.commandLine)).toMatch(
      /xterm -geometry 80x24\+20\+20 -title work terminal/,
    );
    await screen.x('xdotool', ['windowactivate', '--sync', String(termWindow)]);
    await until('xterm focused', () => !!event('app.focus', (a) => a.app === 'xterm'));
    const typed = path.join(work, 'typed-unlocked-1');
    await screen.x('xdotool', ['type', '--delay', '30', `touch ${typed}`]);
    await screen.x('xdotool', ['key', 'Return']);
    await until('what was typed ran in the terminal', () => existsSync(typed));

    // 2. A clipboard copy.
    const clip = path.join(work, 'clip.txt');
    await writeFile(clip, 'copied text');
    screen.spawn('xclip', ['-selection', 'clipboard', '-i', clip]);
    await until('clipboard use', () => !!event('clipboard.use'));

    // 3. An excluded application: its window is masked in what is encoded.
    const clock = screen.spawn('xclock', [
      '-bg',
      'red',
      '-update',
      '1',
      '-geometry',
      '300x300+700+150',
    ]);
    const clockWindow = await screen.windowOf(clock.pid!);
    const clockRect = await screen.clientRect(clockWindow);
    await until('xclock started', () => !!event('app.start', (a) => a.app === 'xclock'));
    const maskedFromMs = sessionMs() + 500;
    const termRect = await screen.clientRect(termWindow);
    // Something changes on screen meanwhile (capture is variable frame rate).
    await screen.x('xdotool', ['windowactivate', '--sync', String(termWindow)]);
    for (let i = 0; i < 6; i += 1) {
      await screen.x('xdotool', ['type', '--delay', '20', `echo while-masked ${i}`]);
      await screen.x('xdotool', ['key', 'Return']);
      await sleep(300);
    }

    // The excluded window moves: the mask follows it.
    const movedFromMs = sessionMs() - 200;
    await screen.x('xdotool', ['windowmove', String(clockWindow), '850', '380']);
    await waitFor(
      async () => (await screen.clientRect(clockWindow)).x > 800,
      10_000,
      'xclock moved',
    );
    const movedRect = await screen.clientRect(clockWindow);
    // The session looks again every 250 ms; then the mask reaches the next frame.
    const movedSettledMs = sessionMs() + 700;
    for (let i = 0; i < 6; i += 1) {
      await screen.x('xdotool', ['type', '--delay', '20', `echo moved ${i}`]);
      await screen.x('xdotool', ['key', 'Return']);
      await sleep(300);
    }

    // Later steps open notices (new windows: the screen is masked whole until each is known).
    const maskCheckUntilMs = sessionMs() - 200;

    // 4. A USB stick plugged in.
    await sys.plug();
    await until('usb.insert', () => !!event('usb.insert', (a) => a.device === 'sdz'));
    expect(event('usb.insert')!.attributes).toMatchObject({
      vendor: 'Testvend',
      model: 'Stick 8G',
      sizeBytes: 15728640 * 512,
    });

    // 5. A file written to the removable mount: path, size and writing program.
    const report = path.join(mount, 'report.bin');
    await new Promise((resolve) =>
      spawn('dd', ['if=/dev/urandom', `of=${report}`, 'bs=64k', 'count=16', 'status=none']).once(
        'exit',
        resolve,
      ),
    );
    await until(
      'file.write.removable',
      () => !!event('file.write.removable', (a) => a.path === report),
    );
    expect(event('file.write.removable', (a) => a.path === report)!.attributes).toMatchObject({
      mountPoint: mount,
      sizeBytes: 16 * 65536,
    });

    // 6. A transfer in progress is blocked: the writer stops, its partial file goes.
    const partial = path.join(mount, 'partial.bin');
    // One process writing a little at a time, as a copy to a slow stick would.
    const writer = spawn(process.execPath, [
      '-e',
      `const fs = require('fs'); const fd = fs.openSync(${JSON.stringify(partial)}, 'w');
       setInterval(() => fs.writeSync(fd, Buffer.alloc(4096)), 100);`,
    ]);
    const writerExit = new Promise((resolve) => writer.once('exit', resolve));
    await waitFor(
      async () => ((await stat(partial).catch(() => undefined))?.size ?? 0) > 0,
      10_000,
      'the transfer writes',
    );
    const blocked = await command('block-transfer');
    expect(blocked).toMatchObject({ status: 'acked' });
    expect(blocked.detail).toMatch(/1 running transfer\(s\) stopped/);
    await writerExit;
    expect(existsSync(partial)).toBe(false);
    await until('block reported', () => !!event('response.executed', (a) => a.path === partial));
    expect(event('response.executed', (a) => a.path === partial)!.attributes).toMatchObject({
      action: 'block-transfer',
      pid: writer.pid,
    });
    expect(String(event('response.executed', (a) => a.path === partial)!.attributes.app)).toMatch(
      /^node/,
    );
    // ...and later writes too.
    const later = path.join(mount, 'later.bin');
    spawn('dd', ['if=/dev/zero', `of=${later}`, 'bs=64k', 'count=4', 'status=none']);
    await until(
      'a later write removed',
      () => !!event('response.executed', (a) => a.path === later),
    );
    expect(existsSync(later)).toBe(false);

    // 7. Lock: keys reach no application until an administrator unlocks.
    await screen.x('xdotool', ['windowactivate', '--sync', String(termWindow)]);
    expect(await command('lock', { message: 'Call the SOC.' })).toMatchObject({ status: 'acked' });
    const whileLocked = path.join(work, 'typed-while-locked');
    await screen.x('xdotool', ['type', '--delay', '30', `touch ${whileLocked}`]);
    await screen.x('xdotool', ['key', 'Return']);
    await sleep(1500);
    expect(existsSync(whileLocked)).toBe(false);
    expect(await command('unlock')).toMatchObject({ status: 'acked' });
    expect(await command('unlock')).toMatchObject({ status: 'failed', detail: 'not locked' });
    await screen.x('xdotool', ['windowactivate', '--sync', String(termWindow)]);
    const afterUnlock = path.join(work, 'typed-unlocked-2');
    await screen.x('xdotool', ['key', 'ctrl+u']);
    await screen.x('xdotool', ['type', '--delay', '30', `touch ${afterUnlock}`]);
    await screen.x('xdotool', ['key', 'Return']);
    await until('typing works again after unlock', () => existsSync(afterUnlock));
    expect(existsSync(whileLocked)).toBe(false);
    await until(
      'lock and unlock reported',
      () => !!event('session.lock') && !!event('session.unlock'),
    );

    // 8. A notice from an administrator.
    const notices = acked.of('app.start').filter((e) => e.attributes.app === 'xmessage').length;
    expect(await command('notice', { message: 'Maintenance at noon.' })).toMatchObject({
      status: 'acked',
    });
    await until(
      'the notice shown',
      () => acked.of('app.start').filter((e) => e.attributes.app === 'xmessage').length > notices,
    );

    // 9. The excluded application closes.
    clock.kill();
    await until('xclock stopped', () => !!event('app.stop', (a) => a.app === 'xclock'));

    // 10. Idle, then active again.
    // A figure for the docs (not asserted): CPU of the session process and its ffmpeg while
    // the user is idle and only the clock-free screen sits there.
    const cpuTicks = async (pid: number) => {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
    };
    const children = async (pid: number) =>
      (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => ''))
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
    const ffmpegPids = async () => {
      const out: number[] = [];
      for (const child of await children(desktop!.pid!)) {
        const comm = await readFile(`/proc/${child}/comm`, 'utf8').catch(() => '');
        if (comm.trim() === 'ffmpeg') out.push(child);
      }
      return out;
    };
    const idleFrom = { at: Date.now(), node: await cpuTicks(desktop.pid!), ffmpeg: 0 };
    for (const pid of await ffmpegPids()) idleFrom.ffmpeg += await cpuTicks(pid);
    await until('idle.start', () => !!event('idle.start'), 60_000);
    {
      const seconds = (Date.now() - idleFrom.at) / 1000;
      let ffmpegTicks = 0;
      for (const pid of await ffmpegPids()) ffmpegTicks += await cpuTicks(pid);
      const percent = (ticks: number) => ((ticks / 100 / seconds) * 100).toFixed(1);
      console.log(
        `desktop session idle for ${seconds.toFixed(0)} s: session process ${percent((await cpuTicks(desktop.pid!)) - idleFrom.node)} % of a core, ffmpeg ${percent(ffmpegTicks - idleFrom.ffmpeg)} %`,
      );
    }
    await screen.x('xdotool', ['mousemove', '5', '5']);
    await until('idle.end', () => !!event('idle.end'));

    // 11. Network quality of the remote-display connection, then that connection dropped.
    await until('network samples', () => acked.metrics.length >= 2);
    expect(acked.metrics[0]).toMatchObject({ rttMs: expect.any(Number) as number });
    // The daemon closes the client's connection; the server process is not ended.
    const dropped = await command('disconnect');
    clearInterval(sender);
    expect(dropped).toMatchObject({ status: 'acked' });
    expect(dropped.detail).toContain(`-> 127.0.0.1:${remote.port} (pid ${remote.child.pid})`);
    expect(await remoteUser.closed).toBe('ECONNRESET');
    expect(remote.child.exitCode).toBeNull();
    await until(
      'disconnect reported',
      () => !!event('response.executed', (a) => a.action === 'disconnect'),
    );
    expect(event('response.executed', (a) => a.action === 'disconnect')!.attributes).toMatchObject({
      client: '127.0.0.1',
      serverPort: remote.port,
      pid: remote.child.pid,
      by: 'agent-daemon',
    });

    // 12. Log off: the applications end, and so does the session.
    expect(await command('logoff')).toMatchObject({ status: 'acked' });
    expect(await desktopExit).toBe(0);
    await until('session end acknowledged', () => acked.ends.length === 1);
    await daemon.idle();
    expect(term.exitCode !== null || term.signalCode !== null).toBe(true);
    expect(acked.ends).toEqual([{ sessionId, reason: 'logoff' }]);
    expect(acked.stops).toEqual([{ recordingId, reason: 'session-end' }]);

    // The recording: one init, then media segments in sequence, all decoding as H.264.
    const segments = acked.recording(recordingId);
    expect(segments[0]!.kind).toBe('init');
    expect(segments.slice(1).every((s) => s.kind === 'media')).toBe(true);
    expect(segments.map((s) => s.seq)).toEqual(segments.map((_, i) => i));
    expect(segments.length).toBeGreaterThanOrEqual(3);
    const whole = await probe(segments.map((s) => s.bytes));
    expect(whole).toMatchObject({ codec: 'h264', width: 1280, height: 720 });
    expect(whole.frames).toBeGreaterThan(3);

    const inset = (r: typeof clockRect) => ({
      x: r.x + 8,
      y: r.y + 8,
      width: r.width - 16,
      height: r.height - 16,
    });
    const frames = await decodeFrames(
      segments.map((s) => s.bytes),
      1280,
      720,
    );
    // Frame times, in session time: the first frame is at the first media segment's start.
    const times = await frameTimes(segments.map((s) => s.bytes));
    expect(times).toHaveLength(frames.length);
    const at = (i: number) => segments[1]!.startMs + (times[i]! - times[0]!) * 1000;
    // Masked pixels: while xclock was up (from just after it was reported, while no other
    // window opened), its red client area is black in every frame; the terminal's is not.
    let checked = 0;
    let checkedMoved = 0;
    frames.forEach((frame, i) => {
      const before = at(i) >= maskedFromMs && at(i) <= movedFromMs;
      const after = at(i) >= movedSettledMs && at(i) <= maskCheckUntilMs;
      if (!before && !after) return;
      const clockArea = regionStats(frame, 1280, inset(before ? clockRect : movedRect));
      expect(clockArea.red).toBe(0);
      expect(clockArea.black).toBeGreaterThan(0.95);
      expect(regionStats(frame, 1280, inset(termRect)).black).toBeLessThan(0.5);
      checked += 1;
      if (after) checkedMoved += 1;
    });
    expect(checked - checkedMoved).toBeGreaterThan(2);
    expect(checkedMoved).toBeGreaterThan(2);
    // Frames anywhere in the recording that show xclock's red: the moment between the window
    // appearing and its mask taking effect (a figure for the docs, not asserted).
    const leakedAt = frames
      .map((f, i) =>
        regionStats(f, 1280, inset(clockRect)).red > 0.01 ||
        regionStats(f, 1280, inset(movedRect)).red > 0.01
          ? Math.round(at(i))
          : -1,
      )
      .filter((t) => t >= 0);
    const leaked = `${leakedAt.length} (at ${leakedAt.join(', ')} ms; xclock reported at ${event('app.start', (a) => a.app === 'xclock')!.offsetMs} ms, moved at ${movedFromMs} ms)`;
    console.log(
      `desktop recording: ${segments.length} segments, ${frames.length} frames, ${checked} checked masked, ${leaked} with the excluded window unmasked`,
    );
  }, 300_000);

  it('arms record-on-event with a local pre-event buffer (nothing sent until a USB stick fires it) and records on opening an application a rule names', async () => {
    expect(configFile).not.toBe(''); // the first test set up the daemon and its config
    await sys!.pull();
    await platform.publishPolicy({
      name: 'On event or on opening xclock',
      defaultAction: {
        action: 'record-on-event',
        triggers: { events: [{ eventType: 'usb.insert' }], preEventMinutes: 1 },
        capture: { frameRate: 5, quality: 'low', inputCapture: false, excludedApplications: [] },
      },
      rules: [{ id: 'xclock-opened', match: { applications: ['xclock'] }, action: 'record' }],
    });
    const before = { sessions: acked.sessions.length, recordings: acked.recordings.length };

    // A: armed. The screen changes for a while: segments go to the local buffer only.
    const a = startDesktop();
    await a.until('session A', () => acked.sessions.length === before.sessions + 1);
    const sessionA = acked.sessions[acked.sessions.length - 1]!;
    const term = screen.spawn('xterm', ['-geometry', '80x24+40+40']);
    const termWindow = await screen.windowOf(term.pid!);
    await screen.x('xdotool', ['windowactivate', '--sync', String(termWindow)]);
    for (let i = 0; i < 15; i += 1) {
      await screen.x('xdotool', ['type', '--delay', '20', `echo buffered ${i}`]);
      await screen.x('xdotool', ['key', 'Return']);
      await sleep(300);
    }
    await daemon!.idle();
    expect(acked.recordings).toHaveLength(before.recordings);
    const segmentsBefore = acked.segments.length;
    const plugMs = Date.now() - Date.parse(String(sessionA.startedAt));
    await sys!.plug();
    await a.until(
      'recording fired by the USB stick',
      () => acked.recordings.length > before.recordings,
    );
    const fired = acked.recordings[acked.recordings.length - 1]!;
    expect(fired).toMatchObject({ kind: 'screen', reason: 'event', actor: 'event:usb.insert' });
    expect(Date.parse(String(fired.at))).toBeLessThan(
      Date.parse(String(sessionA.startedAt)) + plugMs,
    );
    await sleep(2500);
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    await a.until('session A ended', () =>
      acked.ends.some((e) => e.sessionId === sessionA.sessionId),
    );
    await daemon!.idle();
    expect(acked.segments.length).toBeGreaterThan(segmentsBefore);
    const firedSegments = acked.recording(String(fired.recordingId));
    expect(firedSegments[0]!.kind).toBe('init');
    // The minute before the event was buffered on the host and arrives first.
    const insertAt = acked.of('usb.insert').find((e) => e.offsetMs >= plugMs - 1000)!.offsetMs;
    expect(firedSegments[1]!.startMs).toBeLessThan(insertAt);
    const played = await probe(firedSegments.map((s) => s.bytes));
    expect(played).toMatchObject({ codec: 'h264', width: 1280, height: 720 });
    expect(played.frames).toBeGreaterThan(3);

    // B: armed again (no stick events now); opening and focusing xclock records at once.
    await sys!.pull();
    const b = startDesktop();
    const recordingsB = acked.recordings.length;
    await b.until('session B', () => acked.sessions.length === before.sessions + 2);
    await sleep(1500);
    expect(acked.recordings).toHaveLength(recordingsB);
    const clock = screen.spawn('xclock', ['-update', '1', '-geometry', '200x200+600+100']);
    const clockWindow = await screen.windowOf(clock.pid!);
    // openbox focuses a new window itself; this makes sure of it.
    await screen.x('xdotool', ['windowactivate', String(clockWindow)]).catch(() => '');
    await b.until('recording on opening xclock', () => acked.recordings.length > recordingsB);
    expect(acked.recordings[acked.recordings.length - 1]).toMatchObject({
      kind: 'screen',
      reason: 'policy',
      ruleId: 'xclock-opened',
    });
    clock.kill();
    term.kill();
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  }, 240_000);

  it('is catalogued by the indexer, and the recording plays as the console asks for it: the api HLS playlist, its init and segments decode', async () => {
    expect(first).toBeDefined(); // the first test recorded the session
    const port = await freePort();
    indexer = await startServiceProcess(
      path.resolve(__dirname, '../../indexer/dist/main.js'),
      {
        NATS_URL: testNatsUrl(),
        NATS_NAMESPACE: platform.name,
        DATABASE_URL: testDatabaseUrl(),
        DATABASE_SCHEMA: `${platform.name}_catalog`,
        INDEXER_PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        METRICS_ENABLED: 'false',
      },
      `http://127.0.0.1:${port}/health/ready`,
    );
    const { sessionId, recordingId } = first!;
    const media = acked.recording(recordingId).filter((segment) => segment.kind === 'media');
    type Recording = {
      recording: {
        init?: { sha256: string };
        segments: { seq: number; sha256: string }[];
        live: boolean;
      } | null;
    };
    const got: Recording = { recording: null };
    await waitFor(
      async () => {
        const reply = await platform.messaging.request(
          'catalog.recording',
          { v: 1, recordingId, limit: 1000 } as never,
          { timeoutMs: 5_000 },
        );
        got.recording = (reply as unknown as Recording).recording;
        const r = got.recording;
        return !!r?.init && r.segments.length === media.length && !r.live;
      },
      60_000,
      'the recording catalogued with its init and every segment',
    );
    const types = new Set<string>();
    await waitFor(
      async () => {
        const reply = (await platform.messaging.request(
          'catalog.events',
          { v: 1, sessionId, limit: 1000 } as never,
          { timeoutMs: 5_000 },
        )) as unknown as { events: { type: string; attributes: Record<string, unknown> }[] };
        for (const event of reply.events) types.add(event.type);
        return types.has('session.end') || types.has('app.stop');
      },
      60_000,
      'the events catalogued',
    );
    for (const type of [
      'app.start',
      'app.focus',
      'app.stop',
      'clipboard.use',
      'usb.insert',
      'file.write.removable',
      'response.executed',
      'session.lock',
      'session.unlock',
      'idle.start',
      'idle.end',
    ]) {
      expect([type, types.has(type)]).toEqual([type, true]);
    }
    // The player fetches the init and the segments the catalogue names from the store.
    const stored = new Map(
      (await platform.everyStoredByte()).objects.map((bytes) => [sha256Hex(bytes), bytes]),
    );
    const found = got.recording!;
    const parts = [found.init!.sha256, ...found.segments.map((segment) => segment.sha256)].map(
      (sha) => stored.get(sha),
    );
    expect(parts.every((part) => part !== undefined)).toBe(true);
    const played = await probe(parts as Buffer[]);
    expect(played).toMatchObject({ codec: 'h264', width: 1280, height: 720 });
    expect(played.frames).toBeGreaterThan(3);

    // And as the console plays it: the api's HLS playlist for a signed-in person, whose init
    // and segments (fetched through the api) decode to the same frames.
    const apiPort = await freePort();
    api = await startServiceProcess(
      path.resolve(__dirname, '../../api/dist/main.js'),
      {
        ...platform.storageEnv(),
        NATS_URL: testNatsUrl(),
        NATS_NAMESPACE: platform.name,
        DATABASE_URL: testDatabaseUrl(),
        DATABASE_SCHEMA: `${platform.name}_api`,
        API_PORT: String(apiPort),
        HOST: '127.0.0.1',
        SESSIONREC_ADMIN_PASSWORD: 'desktop-test-admin',
        LOG_LEVEL: 'warn',
        METRICS_ENABLED: 'false',
      },
      `http://127.0.0.1:${apiPort}/health/ready`,
    );
    const apiUrl = `http://127.0.0.1:${apiPort}/api/v1`;
    const login = await fetch(`${apiUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'desktop-test-admin' }),
    });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const playlistUrl = `${apiUrl}/recordings/${recordingId}/playlist.m3u8`;
    const playlist = await fetch(playlistUrl, { headers: { authorization: `Bearer ${token}` } });
    expect(playlist.status).toBe(200);
    expect(await playlist.text()).toMatch(/#EXT-X-MAP:URI=.*#EXT-X-ENDLIST/s);
    const streamed = await probeInput(playlistUrl, `Authorization: Bearer ${token}\r\n`);
    expect(streamed).toEqual(played);
  }, 240_000);

  it('survives a daemon restart mid-session: the session resumes and its recording goes on in one chain', async () => {
    expect(configFile).not.toBe('');
    await platform.publishPolicy({
      name: 'Everyone',
      defaultAction: {
        action: 'record',
        capture: { frameRate: 5, quality: 'low', inputCapture: false, excludedApplications: [] },
      },
      rules: [],
    });
    const sessionsBefore = acked.sessions.length;
    const recordingsBefore = acked.recordings.length;
    const { child, exited, until } = startDesktop();
    await until('session', () => acked.sessions.length === sessionsBefore + 1);
    const session = acked.sessions[acked.sessions.length - 1]!;
    await until('recording', () => acked.recordings.length > recordingsBefore);
    const recording = acked.recordings[acked.recordings.length - 1]!;
    const recordingId = String(recording.recordingId);
    const term = screen.spawn('xterm', ['-geometry', '80x24+60+60']);
    const termWindow = await screen.windowOf(term.pid!);
    const typeSome = async (label: string) => {
      await screen.x('xdotool', ['windowactivate', '--sync', String(termWindow)]).catch(() => '');
      for (let i = 0; i < 12; i += 1) {
        await screen.x('xdotool', ['type', '--delay', '20', `echo ${label} ${i}`]);
        await screen.x('xdotool', ['key', 'Return']);
        await sleep(250);
      }
    };
    await typeSome('before');
    // The daemon goes away (an upgrade) while the screen keeps changing, then comes back.
    await daemon!.stop();
    await typeSome('while-away');
    const config = agentConfig!;
    const segmentsAtStop = acked.recording(recordingId).length;
    daemon = new AgentDaemon({
      config,
      hostname: 'desk-host-1',
      log: () => undefined,
      onAcked: acked.onAcked,
    });
    await daemon.start();
    await typeSome('after');
    // Resumed: segments cut after the restart arrive in the same recording.
    await until(
      'segments after the restart',
      () => acked.recording(recordingId).length > segmentsAtStop + 1,
    );
    term.kill();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await until('session ended', () => acked.ends.some((e) => e.sessionId === session.sessionId));
    await daemon.idle();
    expect(acked.ends.find((e) => e.sessionId === session.sessionId)!.reason).toBe('logout');
    expect(acked.recordings.filter((r) => r.recordingId === recordingId)).toHaveLength(1);
    const segments = acked.recording(recordingId);
    expect(segments.map((seg) => seg.seq)).toEqual(segments.map((_, i) => i));
    expect(segments[0]!.kind).toBe('init');
    expect(segments.length).toBeGreaterThanOrEqual(3);
    const played = await probe(segments.map((seg) => seg.bytes));
    expect(played).toMatchObject({ codec: 'h264', width: 1280, height: 720 });
  }, 180_000);
  it('a detection policy change reaches a running session: idle threshold, reported events, titles and command lines, mount points', async () => {
    expect(configFile).not.toBe('');
    mount2 = await mountTmpfs(platform.dir, 'second-stick');
    const putDetection = async (document: unknown) =>
      expect(
        await platform.messaging.request(
          'policy.detection.put',
          { v: 1, document, actor: { id: 'test', name: 'desktop-test' } } as never,
          { timeoutMs: 5_000 },
        ),
      ).toMatchObject({ ok: true });
    // Before: every event with titles and command lines, no idle for an hour, no policy mounts.
    await putDetection({
      name: 'Before',
      defaults: {
        events: [...EVENT_TYPE_NAMES],
        options: {
          removableMountPoints: [],
          networkMountPoints: [],
          idleThresholdSeconds: 3600,
          captureCommandLines: true,
          captureWindowTitles: true,
        },
      },
      rules: [],
    });
    // Nothing recorded: detection does not depend on a recording (and no ffmpeg runs).
    await platform.publishPolicy({
      name: 'Nobody',
      defaultAction: { action: 'do-not-record' },
      rules: [],
    });
    const sessionsBefore = acked.sessions.length;
    const { child, exited, log, until } = startDesktop();
    await until('session', () => acked.sessions.length === sessionsBefore + 1);
    const sessionId = String(acked.sessions[acked.sessions.length - 1]!.sessionId);
    // The session watches the clipboard before the mounts: it is watching once a mount is.
    await until('the session watching', () =>
      log().includes(`watching removable storage ${mount}`),
    );
    const eventsFrom = acked.events.length;
    const since = () => acked.events.slice(eventsFrom);
    const find = (type: string, match: (a: Record<string, unknown>) => boolean = () => true) =>
      since().find((e) => e.type === type && match(e.attributes));

    // Under the first policy: a clipboard copy and an application with its title and command
    // line are reported; a write to the second stick (no mount of config or policy) is not.
    const clip = path.join(platform.dir, 'clip-2.txt');
    await writeFile(clip, 'copied again');
    screen.spawn('xclip', ['-selection', 'clipboard', '-i', clip]);
    await until('clipboard use', () => !!find('clipboard.use'));
    const one = screen.spawn('xterm', ['-geometry', '40x10+30+30', '-title', 'first title']);
    await until('first xterm', () => !!find('app.start', (a) => a.pid === one.pid));
    expect(find('app.start', (a) => a.pid === one.pid)!.attributes).toMatchObject({
      windowTitle: 'first title',
      commandLine: expect.stringContaining('first title') as string,
    });
    const early = path.join(mount2, 'before-change.bin');
    await writeFile(early, Buffer.alloc(4096));
    // A write to the configured mount after it is reported; the second stick's is not.
    const configured = path.join(mount, 'sync-before-change.bin');
    await writeFile(configured, Buffer.alloc(1024));
    await until(
      'configured mount write',
      () => !!find('file.write.removable', (a) => a.path === configured),
    );
    await daemon!.idle();
    expect(find('file.write.removable', (a) => a.path === early)).toBeUndefined();
    expect(find('idle.start')).toBeUndefined();

    // The policy changes: idle after 30 s, no clipboard events, no titles or command lines,
    // the second stick's mount point is removable storage.
    await putDetection({
      name: 'After',
      defaults: {
        events: EVENT_TYPE_NAMES.filter((type) => type !== 'clipboard.use'),
        options: {
          removableMountPoints: [mount2],
          networkMountPoints: [],
          idleThresholdSeconds: 30,
          captureCommandLines: false,
          captureWindowTitles: false,
        },
      },
      rules: [],
    });
    // The daemon is told (policy-updated over the control channel) and tells the session.
    await until('the session has the new settings', () =>
      /detection: idle after 30 s \(was 3600 s\)/.test(log()),
    );
    expect(log()).toContain(`removable ${JSON.stringify([mount, mount2])}`);
    await until('the second stick watched', () =>
      log().includes(`watching removable storage ${mount2}`),
    );

    // Copy, then open an application: the copy is not reported, the application is, bare.
    screen.spawn('xclip', ['-selection', 'clipboard', '-i', clip]);
    await sleep(300);
    const two = screen.spawn('xterm', ['-geometry', '40x10+400+30', '-title', 'second title']);
    await until('second xterm', () => !!find('app.start', (a) => a.pid === two.pid));
    expect(find('app.start', (a) => a.pid === two.pid)!.attributes).not.toHaveProperty(
      'windowTitle',
    );
    expect(find('app.start', (a) => a.pid === two.pid)!.attributes).not.toHaveProperty(
      'commandLine',
    );
    const later = path.join(mount2, 'after-change.bin');
    await writeFile(later, Buffer.alloc(8192));
    await until(
      'second stick write',
      () => !!find('file.write.removable', (a) => a.path === later),
    );
    expect(find('file.write.removable', (a) => a.path === later)!.attributes).toMatchObject({
      mountPoint: mount2,
      sizeBytes: 8192,
    });
    await daemon!.idle();
    expect(since().filter((e) => e.type === 'clipboard.use')).toHaveLength(1);

    // No input from now: idle.start under the new threshold (the old one was an hour).
    await until('idle.start under the new threshold', () => !!find('idle.start'), 90_000);
    expect(find('idle.start')!.attributes).toEqual({ idleSeconds: 30 });
    await screen.x('xdotool', ['mousemove', '40', '40']);
    await until('idle.end', () => !!find('idle.end'));

    one.kill();
    two.kill();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await until('session ended', () => acked.ends.some((e) => e.sessionId === sessionId));
  }, 180_000);
  it('disconnects an xrdp-like session: the root daemon closes the client connection of a server process owned by another user, and refuses a connection it cannot tie to the display', async () => {
    expect(configFile).not.toBe('');
    const [, xrdpPort, otherPort] = remotePorts as [number, number, number];
    const nobody = 65534;
    // As xrdp's per-connection process: a system user's process connected to the session's
    // X server, holding the RDP client's TCP connection.
    const xrdp = await remoteDisplayServer({
      display: screen.display,
      port: xrdpPort,
      uid: nobody,
    });
    // Another session's server on the same host: not connected to this display.
    const other = await remoteDisplayServer({ port: otherPort, uid: nobody });
    stopAfter.push(xrdp.child, other.child);
    const rdpClient = await remoteClient(xrdpPort, '127.0.0.2');
    const otherClient = await remoteClient(otherPort, '127.0.0.3');
    stopAfter.push(rdpClient.socket, otherClient.socket);
    expect(await rdpClient.echoes()).toBe(true);
    expect(await otherClient.echoes()).toBe(true);

    await platform.publishPolicy({
      name: 'Nobody',
      defaultAction: { action: 'do-not-record' },
      rules: [],
    });
    const sessionsBefore = acked.sessions.length;
    const { child, exited, log, until } = startDesktop();
    await until('session', () => acked.sessions.length === sessionsBefore + 1);
    const sessionId = String(acked.sessions[acked.sessions.length - 1]!.sessionId);
    await until('session ready', () => log().includes(`desktop session ${sessionId}`));

    // The session's client and network quality are those of its own display's connection,
    // from the kernel: not the other session's, busy as it is.
    expect(acked.sessions[acked.sessions.length - 1]).toMatchObject({ clientAddress: '127.0.0.2' });
    const busy = setInterval(() => otherClient.socket.write(Buffer.alloc(4096)), 50);
    const samples = () => acked.metrics.filter((_, i) => acked.metricSessions[i] === sessionId);
    await until('network samples of the session', () => samples().length >= 4);
    clearInterval(busy);
    // The first sample has no throughput yet (no earlier reading); the other session's
    // connection moved up to 80 KB/s each way meanwhile (about 1.3 Mbit/s as sampled).
    expect(
      samples()
        .slice(1)
        .every((sample) => sample.throughputBps! < 100_000),
    ).toBe(true);
    expect(samples()[0]).toMatchObject({ rttMs: expect.any(Number) as number });

    // The session's own process (the user) could not end a system process's connection;
    // the daemon closes exactly the one tied to this display.
    const dropped = await control(sessionId, 'disconnect', {}, log);
    expect(dropped).toMatchObject({ status: 'acked' });
    expect(dropped.detail).toContain(`-> 127.0.0.1:${xrdpPort} (pid ${xrdp.child.pid})`);
    expect(dropped.detail).not.toContain(`:${otherPort}`);
    expect(await rdpClient.closed).toBe('ECONNRESET');
    // Nothing was killed: the server process, the X server and the session go on.
    expect(xrdp.child.exitCode).toBeNull();
    expect(xrdp.child.signalCode).toBeNull();
    expect(await screen.x('xdpyinfo', [])).toContain('name of display');
    expect(child.exitCode).toBeNull();
    expect(acked.ends.some((e) => e.sessionId === sessionId)).toBe(false);
    // The other session's connection is untouched.
    expect(await otherClient.echoes()).toBe(true);

    // A client connecting again is served as before (as xrdp reconnects to the session).
    const again = await remoteClient(xrdpPort);
    stopAfter.push(again.socket);
    expect(await again.echoes()).toBe(true);
    again.socket.destroy();
    await again.closed;
    await waitFor(
      async () =>
        !(
          await new Promise<string>((resolve) =>
            execFileCb(
              'ss',
              ['-tnH', 'state', 'established', 'sport', '=', `:${xrdpPort}`],
              (_e, out) => resolve(String(out)),
            ),
          )
        ).trim(),
      10_000,
      'the reconnected client gone',
    );

    // Now no connection is tied to the display: refused, and nothing is closed.
    const refused = await control(sessionId, 'disconnect', {}, log);
    expect(refused).toMatchObject({ status: 'failed' });
    expect(refused.detail).toMatch(
      /^remote-display connection not identified: no remote-display connection/,
    );
    expect(await otherClient.echoes()).toBe(true);
    expect(other.child.exitCode).toBeNull();

    await until('disconnect reported', () =>
      acked.events.some(
        (e) =>
          e.type === 'response.executed' &&
          e.attributes.action === 'disconnect' &&
          e.attributes.serverPort === xrdpPort,
      ),
    );
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await until('session ended', () => acked.ends.some((e) => e.sessionId === sessionId));
  }, 120_000);
});
