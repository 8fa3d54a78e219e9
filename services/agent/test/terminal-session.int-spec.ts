/**
 * The session wrapper and the agent daemon on a real shell in a real pseudo-terminal,
 * against real policy, ingest, NATS, PostgreSQL and the S3 test server: what is typed and
 * shown is recorded and replays, the commands are reported, a secret typed at a no-echo
 * prompt is in no stored byte, and exit codes come back.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CatalogRecordingDetail } from '@sessionrec/contracts';
import { uniqueTestName, waitFor } from '@sessionrec/testing';
import { parseAsciicast } from '../src/media/asciicast';
import type { AgentDaemon } from '../src/daemon/agent-daemon';
import { Acked, Platform, PtyDriver, SHELL_BIN, ensureTracefs, replayed } from './terminal-harness';

describe('terminal sessions through the wrapper (real PTY, ingest, policy, NATS, PostgreSQL, S3)', () => {
  const platform = new Platform(uniqueTestName('agent_tty'), true);
  const acked = new Acked();
  let daemon: AgentDaemon;
  let configFile: string;
  const running: PtyDriver[] = [];

  beforeAll(async () => {
    await ensureTracefs();
    await platform.start();
    const { file, config } = await platform.config('tty');
    configFile = file;
    daemon = await platform.daemon(config, acked);
  });

  afterAll(async () => {
    for (const term of running) term.kill();
    await daemon?.stop();
    await platform.stop();
  });

  const wrapper = () =>
    new PtyDriver(process.execPath, [SHELL_BIN, '--config', configFile], {
      PATH: process.env.PATH,
      HOME: '/root',
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
    });

  it('records output, echoed input and window sizes, reports commands, and keeps a no-echo secret out of every stored byte', async () => {
    const version = await platform.publishPolicy({
      name: 'Record terminals with keystrokes',
      defaultAction: { action: 'do-not-record' },
      rules: [
        {
          id: 'terminals',
          match: { users: ['*'] },
          action: 'record',
          notice: { show: true, text: 'This session is recorded for audit.' },
          capture: { frameRate: 1, quality: 'low', inputCapture: true, excludedApplications: [] },
        },
      ],
    });
    const secret = `pw-${randomBytes(9).toString('hex')}`;
    const term = wrapper();
    running.push(term);
    await term.expect('This session is recorded for audit.');
    await term.expect(/[#$] $/);
    await term.run('echo hello-$((6*7))', 'hello-42');
    // The glob keeps the typed line apart from what ls prints.
    await term.run('sleep 1; ls /etc/hostnam[e]', '/etc/hostname');
    await term.run("sh -c 'sleep 0.5; echo nested-$((2+3))'", 'nested-5');
    // Commands that live a millisecond: the daemon sees their execs from the kernel.
    await term.run('for i in 1 2 3; do /bin/true $i; done; echo loop-$((1+1))', 'loop-2');
    term.resize(132, 40);
    await term.type("read -s -p 'Password: ' pw; echo; echo length-${#pw}\r");
    await term.expect('Password: ');
    await term.type(`${secret}\r`);
    await term.expect(`length-${secret.length}`);
    await term.expect(/[#$] $/);
    await term.type('exit 3\r');
    expect((await term.exited).exitCode).toBe(3);

    await waitFor(
      () => Promise.resolve(acked.ends.length === 1),
      20_000,
      'session end acknowledged',
    );
    await daemon.idle();
    const [session] = acked.sessions;
    const sessionId = String(session!.sessionId);
    expect(session).toMatchObject({ user: 'root', host: 'tty-host-1', protocol: 'terminal' });
    expect(acked.recordings).toEqual([
      expect.objectContaining({
        sessionId,
        reason: 'policy',
        ruleId: 'terminals',
        policyVersion: version,
      }),
    ]);
    const recordingId = acked.recordings[0]!.recordingId;

    // The replayed output is what the user saw; the keystrokes are there, the secret is not.
    const screen = replayed(acked, recordingId);
    expect(screen).toContain('hello-42');
    expect(screen).toContain('nested-5');
    expect(screen).toContain(`length-${secret.length}`);
    // Keys echoed as typed are stored once, as their echo; Enter is input of its own.
    expect(screen).toContain('echo hello-$((6*7))');
    expect(screen).toContain('exit 3');
    const typed = replayed(acked, recordingId, 'i');
    expect(typed.split('').filter((key) => key === '\r').length).toBeGreaterThanOrEqual(6);
    expect(typed).not.toContain(secret.slice(3));
    expect(replayed(acked, recordingId, 'r')).toContain('132x40');
    // The hash chain's first segment opens with the asciicast header.
    const first = acked.segments.find((s) => s.recordingId === recordingId && s.seq === 0)!;
    expect(JSON.parse(first.text.split('\n')[0]!)).toMatchObject({
      version: 2,
      width: 100,
      height: 30,
    });

    const commands = acked
      .eventsOf(sessionId, 'command.start')
      .map((e) => e.attributes.commandLine);
    // Every exec below the shell, however short-lived, is reported once.
    expect(commands).toEqual(
      expect.arrayContaining(['sleep 1', 'sh -c "sleep 0.5; echo nested-$((2+3))"', 'sleep 0.5']),
    );
    for (const i of [1, 2, 3])
      expect(commands.filter((line) => line === `/bin/true ${i}`)).toHaveLength(1);
    const shells = acked.eventsOf(sessionId, 'shell.start').map((e) => e.attributes.shell);
    expect(shells).toEqual(expect.arrayContaining(['bash', 'sh']));
    expect(acked.ends).toEqual([{ sessionId, reason: 'logout' }]);

    // No stored byte anywhere holds the secret, though the same places hold the session.
    const stored = await platform.everyStoredByte();
    const all = [
      ...stored.objects.map((b) => b.toString('latin1')),
      ...stored.rows,
      ...stored.messages.map((b) => b.toString('latin1')),
    ];
    expect(all.some((text) => text.includes('hello-42'))).toBe(true);
    expect(
      stored.messages.some((m) => m.toString('utf8').includes('"commandLine":"sleep 1"')),
    ).toBe(true);
    expect(all.filter((text) => text.includes(secret.slice(3)))).toEqual([]);
  });

  it('spools while ingest is down, survives a daemon restart mid-session, and catches up without loss', async () => {
    const { config } = await platform.config('tty');
    await platform.stopIngest();
    const term = wrapper();
    running.push(term);
    await term.expect(/[#$] $/);
    await term.run('echo before-$((1+1))', 'before-2');
    // The daemon restarts while the session goes on; the wrapper resumes with it.
    await daemon.stop();
    const later = new Acked();
    daemon = await platform.daemon(config, later);
    await term.run('echo after-$((2+2))', 'after-4');
    // The resumed session's commands still come from the kernel (its shell pid was kept).
    await term.run('/bin/echo resumed-$((5+5))', 'resumed-10');
    await term.type('exit\r');
    expect((await term.exited).exitCode).toBe(0);
    // Nothing could be sent: it is all in the spool, on disk.
    await waitFor(() => Promise.resolve(daemon.queued >= 4), 20_000, 'session spooled');
    expect(later.sessions).toEqual([]);
    expect(daemon.spoolBytes).toBeGreaterThan(0);

    await platform.startIngest();
    await waitFor(() => Promise.resolve(later.ends.length === 1), 60_000, 'spool drained');
    await daemon.idle();
    const sessionId = later.ends[0]!.sessionId;
    expect(later.sessions.map((s) => s.sessionId)).toEqual([sessionId]);
    // Ingest was unreachable at the start: the agent's failure mode decided.
    expect(later.recordings).toEqual([
      expect.objectContaining({ sessionId, reason: 'policy', ruleId: 'agent-failure-mode' }),
    ]);
    const recordingId = later.recordings[0]!.recordingId;
    const seqs = later.segments.filter((s) => s.recordingId === recordingId).map((s) => s.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs.map((_, i) => i));
    const screen = replayed(later, recordingId);
    expect(screen).toContain('before-2');
    expect(screen).toContain('after-4');
    expect(
      later.eventsOf(sessionId, 'command.start').map((e) => e.attributes.commandLine),
    ).toContain('/bin/echo resumed-10');
    expect(daemon.spoolBytes).toBe(0);
    const stored = await platform.everyStoredByte();
    expect(stored.objects.some((o) => o.toString('utf8').includes('after-4'))).toBe(true);
  }, 150_000);

  it('carries out control-channel commands: notice, lock/unlock, recording stop/start, block transfer, log off', async () => {
    const { config } = await platform.config('tty');
    await daemon.stop();
    const acked3 = new Acked();
    daemon = await platform.daemon(config, acked3);
    const identity = JSON.parse(
      await readFile(path.join(config.stateDir, 'identity.json'), 'utf8'),
    ) as { agentId: string };
    const term = wrapper();
    running.push(term);
    await term.expect(/[#$] $/);
    await waitFor(() => Promise.resolve(acked3.sessions.length === 1), 20_000, 'session acked');
    const sessionId = String(acked3.sessions[0]!.sessionId);
    // The control socket needs a moment after the daemon's start.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const command = (action: string, params: Record<string, string> = {}) =>
      platform.command({ agentId: identity.agentId, sessionId }, action, params);

    expect(await command('notice', { message: 'Maintenance at noon.' })).toMatchObject({
      status: 'acked',
    });
    await term.expect('Maintenance at noon.');
    expect(await command('lock', { message: 'Call the SOC.' })).toMatchObject({ status: 'acked' });
    await term.expect('locked by an administrator');
    let from = term.text.length;
    await term.type('echo locked-$((1+1))\r');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(term.text.slice(from)).not.toContain('locked-2');
    expect(await command('unlock')).toMatchObject({ status: 'acked' });
    await term.run('echo unlocked-$((1+2))', 'unlocked-3');

    expect(await command('stop-recording', { actor: 'alice' })).toMatchObject({ status: 'acked' });
    expect(await command('start-recording', { actor: 'alice' })).toMatchObject({ status: 'acked' });

    // A transfer tool running in the session (sleep named rsync) is stopped, and the user told.
    from = term.text.length;
    await term.type('(exec -a rsync sleep 30); echo transfer-ended-$?\r');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await command('block-transfer')).toMatchObject({ status: 'acked' });
    await term.expect('transfer-ended-143', 20_000, from);
    await term.expect('File transfers are blocked', 20_000, from);

    expect(await command('logoff')).toMatchObject({ status: 'acked' });
    await term.exited;
    await waitFor(() => Promise.resolve(acked3.ends.length === 1), 20_000, 'session end');
    await daemon.idle();
    expect(acked3.ends[0]).toEqual({ sessionId, reason: 'logoff' });
    expect(acked3.stops).toEqual(
      expect.arrayContaining([expect.objectContaining({ reason: 'admin' })]),
    );
    expect(acked3.recordings.map((r) => r.reason)).toEqual(['policy', 'admin']);
    const types = acked3.eventsOf(sessionId).map((e) => e.type);
    for (const type of ['session.lock', 'session.unlock', 'response.executed'])
      expect(types).toContain(type);
    // Keystrokes typed while locked never reached the shell or the recording.
    const all = acked3.recordings.map((r) => replayed(acked3, r.recordingId)).join('');
    expect(all).toContain('unlocked-3');
    expect(all).not.toContain('locked-2');
  }, 120_000);

  describe('record-on-event', () => {
    let acked4: Acked;

    beforeAll(async () => {
      const { config } = await platform.config('tty');
      await daemon.stop();
      acked4 = new Acked();
      daemon = await platform.daemon(config, acked4);
    });

    const policy = (preEventMinutes: number) =>
      platform.publishPolicy({
        name: 'Record terminals once a trigger command runs',
        defaultAction: { action: 'do-not-record' },
        rules: [
          {
            id: 'on-trigger',
            match: { users: ['*'] },
            action: 'record-on-event',
            triggers: {
              events: [
                { eventType: 'command.start', attributes: { commandLine: '*fire-trigger*' } },
              ],
              preEventMinutes,
            },
          },
        ],
      });

    /** A session that shows something, waits, runs the trigger command, then more. */
    const session = async (tag: string) => {
      const before = acked4.sessions.length;
      const segmentsBefore = acked4.segments.length;
      const term = wrapper();
      running.push(term);
      await term.expect(/[#$] $/);
      await term.run(`echo ${tag}-$((1+1))`, `${tag}-2`);
      // Segments are cut every 2 s here: some are in the pre-event buffer, none uploaded.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      await daemon.idle();
      const sessionId = String(acked4.sessions[before]!.sessionId);
      expect(acked4.recordings.filter((r) => r.sessionId === sessionId)).toEqual([]);
      expect(acked4.segments).toHaveLength(segmentsBefore);
      await term.run('/bin/echo fire-trigger-$((2+3))', 'fire-trigger-5');
      await term.run('echo after-$((3+4))', 'after-7');
      await term.type('exit\r');
      await term.exited;
      await waitFor(
        () => Promise.resolve(acked4.ends.some((e) => e.sessionId === sessionId)),
        20_000,
        'session end',
      );
      await daemon.idle();
      const recording = acked4.recordings.find((r) => r.sessionId === sessionId)!;
      const trigger = acked4
        .eventsOf(sessionId, 'command.start')
        .find((e) => e.attributes.commandLine === '/bin/echo fire-trigger-5')!;
      const startedAt = Date.parse(String(acked4.sessions[before]!.startedAt));
      const segments = acked4.segments
        .filter((s) => s.recordingId === recording.recordingId)
        .sort((a, b) => a.seq - b.seq);
      return { sessionId, recording, trigger, startedAt, segments };
    };

    it('buffers on the host until a command fires the trigger, then records from the oldest buffered moment', async () => {
      const version = await policy(1);
      const { recording, trigger, startedAt, segments } = await session('kept');
      expect(recording).toMatchObject({
        reason: 'event',
        ruleId: 'on-trigger',
        policyVersion: version,
        actor: 'event:command.start',
      });
      // It begins before the trigger, with what was shown then, and replays as one cast.
      expect(Date.parse(String(recording.at))).toBeLessThan(startedAt + trigger.offsetMs);
      const screen = replayed(acked4, recording.recordingId);
      for (const shown of ['kept-2', 'fire-trigger-5', 'after-7']) expect(screen).toContain(shown);
      expect(screen.indexOf('kept-2')).toBeLessThan(screen.indexOf('fire-trigger-5'));
      expect(() => parseAsciicast(segments.map((s) => s.text).join(''))).not.toThrow();

      // The catalogue shows the recording's first segment before the trigger.
      let detail: CatalogRecordingDetail | null = null;
      await waitFor(
        async () => {
          const reply = await platform.messaging.request(
            'catalog.recording',
            { v: 1, recordingId: recording.recordingId, limit: 1000 },
            { timeoutMs: 10_000 },
          );
          detail = reply.recording;
          return detail !== null && detail.segments.length === segments.length;
        },
        30_000,
        'the recording and its segments in the catalogue',
      );
      const found = detail as unknown as CatalogRecordingDetail;
      expect(found.segments[0]!.startMs).toBeLessThan(trigger.offsetMs);
      expect(Date.parse(found.startedAt)).toBeLessThan(startedAt + trigger.offsetMs);
    });

    it('drops what is older than the pre-event minutes and starts the recording on its own clock', async () => {
      // No minutes before the event: the buffered segments are dropped, never uploaded.
      await policy(0);
      const { recording, trigger, startedAt, segments } = await session('dropped');
      expect(recording).toMatchObject({ reason: 'event', actor: 'event:command.start' });
      const screen = replayed(acked4, recording.recordingId);
      expect(screen).not.toContain('dropped-2');
      expect(screen).toContain('after-7');
      // The first stored segment opens with a header and the times start near zero.
      const cast = parseAsciicast(segments.map((s) => s.text).join(''));
      expect(cast.header).toMatchObject({ version: 2, width: 100, height: 30 });
      expect(cast.lines[0]![0]).toBeLessThan(5);
      expect(Date.parse(String(recording.at))).toBeLessThanOrEqual(
        startedAt + trigger.offsetMs + 1000,
      );
      // What the buffer dropped was never uploaded: no stored byte holds it.
      const stored = await platform.everyStoredByte();
      const all = [
        ...stored.objects.map((b) => b.toString('latin1')),
        ...stored.rows,
        ...stored.messages.map((b) => b.toString('latin1')),
      ];
      expect(all.some((text) => text.includes('fire-trigger-5'))).toBe(true);
      expect(all.filter((text) => text.includes('dropped-2'))).toEqual([]);
    });
  });
});
