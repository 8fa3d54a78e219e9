/**
 * A real login over a real sshd: Debian's openssh-server on a loopback port with
 * ForceCommand set to the session wrapper, a test user with a key and a sudo password.
 * A scripted session (commands, a sudo password prompt, idle time) becomes a recording
 * that replays what was shown, with its events; the password is in no stored byte;
 * scp (both protocols), remote commands and exit codes pass through the wrapper.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, uniqueTestName, waitFor } from '@sessionrec/testing';
import type { AgentDaemon } from '../src/daemon/agent-daemon';
import {
  Acked,
  Platform,
  PtyDriver,
  ROOT,
  SHELL_BIN,
  ensureTracefs,
  replayed,
} from './terminal-harness';

const run = promisify(execFile);
const USER = 'sessionrec-t';
const SUDOERS = '/etc/sudoers.d/sessionrec-test';
/** bash's prompt, possibly followed by erase-to-end-of-line. */
const PROMPT = new RegExp(`[#$] (${String.fromCharCode(27)}\\[K)?$`);

describe('terminal sessions over a real sshd with ForceCommand (real policy, ingest, NATS, PostgreSQL, S3)', () => {
  const platform = new Platform(uniqueTestName('agent_sshd'), true);
  const acked = new Acked();
  const password = `Pw-${randomBytes(9).toString('hex')}`;
  let daemon: AgentDaemon;
  let sshd: ChildProcess | undefined;
  let port = 0;
  let key = '';
  const running: PtyDriver[] = [];

  const sshArgs = (...rest: string[]) => [
    '-i',
    key,
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'LogLevel=ERROR',
    '-o',
    'BatchMode=yes',
    ...rest,
  ];

  beforeAll(async () => {
    await ensureTracefs();
    await platform.start();
    const dir = platform.dir;
    const { file, config } = await platform.config('sshd');
    daemon = await platform.daemon(config, acked);
    await platform.publishPolicy({
      name: 'Record every terminal',
      defaultAction: {
        action: 'record',
        notice: { show: true, text: 'Your session on this host is recorded.' },
        capture: { frameRate: 1, quality: 'low', inputCapture: true, excludedApplications: [] },
      },
      rules: [],
    });
    // sshd runs the wrapper from this checkout as the test user: every folder above it must
    // be traversable (a CI clone may sit below a 0700 folder; this suite runs as root).
    for (let dir = ROOT; dir !== path.dirname(dir); dir = path.dirname(dir)) {
      const mode = (await stat(dir)).mode;
      if ((mode & 0o001) === 0) await chmod(dir, (mode & 0o7777) | 0o001);
    }
    // The test user: a key to log in with, a password only sudo asks for.
    await run('sh', ['-c', `id ${USER} >/dev/null 2>&1 || useradd -m -s /bin/bash ${USER}`]);
    await run('sh', ['-c', `echo '${USER}:${password}' | chpasswd`]);
    await writeFile(SUDOERS, `${USER} ALL=(ALL) ALL\nDefaults:${USER} lecture=never\n`, {
      mode: 0o440,
    });
    key = path.join(dir, 'id_ed25519');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host_key')]);
    await writeFile(path.join(dir, 'authorized_keys'), await readFile(`${key}.pub`));
    await chmod(path.join(dir, 'authorized_keys'), 0o644);
    port = await freePort();
    const sshdConfig = path.join(dir, 'sshd_config');
    await writeFile(
      sshdConfig,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${path.join(dir, 'host_key')}`,
        `PidFile ${path.join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
        'StrictModes no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        `AllowUsers ${USER}`,
        `ForceCommand ${process.execPath} ${SHELL_BIN} --config ${file}`,
        'Subsystem sftp /usr/lib/openssh/sftp-server',
        'LogLevel ERROR',
        '',
      ].join('\n'),
    );
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // privilege separation
    sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', sshdConfig], { stdio: 'inherit' });
    await waitFor(
      async () => {
        const probe = await run('ssh', sshArgs('-p', String(port), `${USER}@127.0.0.1`, 'true'))
          .then(() => true)
          .catch(() => false);
        return probe;
      },
      30_000,
      'sshd accepting logins',
    );
    // That probe was a session too; start counting from here.
    await waitFor(() => Promise.resolve(acked.ends.length >= 1), 20_000, 'probe session ended');
  });

  afterAll(async () => {
    for (const term of running) term.kill();
    sshd?.kill('SIGTERM');
    await daemon?.stop();
    await rm(SUDOERS, { force: true });
    await run('userdel', ['-r', USER]).catch(() => undefined);
    await platform.stop();
  });

  it('records a scripted ssh session: commands, a sudo password prompt, idle; the password is stored nowhere', async () => {
    const before = acked.sessions.length;
    const term = new PtyDriver(
      'ssh',
      ['-tt', ...sshArgs('-p', String(port), `${USER}@127.0.0.1`)],
      { PATH: process.env.PATH, HOME: '/root', TERM: 'xterm-256color' },
    );
    running.push(term);
    await term.expect('Your session on this host is recorded.');
    await term.expect(PROMPT);
    await term.run('echo hello-$((6*7))', 'hello-42', PROMPT);
    await term.run('sleep 1; echo slept', 'slept\r', PROMPT);
    let from = term.text.length;
    // sudo expands %u in its prompt, so the prompt on screen differs from the typed line.
    await term.type("sudo -k; sudo -p 'Password for %u: ' sh -c 'sleep 0.5; echo root-$(id -u)'\r");
    await term.expect(`Password for ${USER}: `, 20_000, from);
    await term.type(`${password}\r`);
    await term.expect('root-0', 20_000, from);
    await term.expect(PROMPT, 20_000, term.text.indexOf('root-0', from));
    // Idle past the configured 5 s, then active again.
    await new Promise((resolve) => setTimeout(resolve, 6500));
    from = term.text.length;
    await term.run('echo back-$((1+1))', 'back-2', PROMPT);
    await term.type('exit\r');
    expect((await term.exited).exitCode).toBe(0);

    await waitFor(
      () =>
        Promise.resolve(acked.ends.some((e) => e.sessionId === acked.sessions[before]?.sessionId)),
      20_000,
      'session end',
    );
    await daemon.idle();
    const session = acked.sessions[before]!;
    const sessionId = String(session.sessionId);
    expect(session).toMatchObject({ user: USER, protocol: 'terminal', clientAddress: '127.0.0.1' });
    const recording = acked.recordings.find((r) => r.sessionId === sessionId)!;
    expect(recording).toMatchObject({ reason: 'policy' });
    const screen = replayed(acked, recording.recordingId);
    for (const shown of ['hello-42', 'slept', `Password for ${USER}: `, 'root-0', 'back-2'])
      expect(screen).toContain(shown);
    expect(screen).toContain('echo hello-$((6*7))'); // typed keys, stored once as their echo
    const typed = replayed(acked, recording.recordingId, 'i');
    expect(typed).toContain('\r');
    expect(typed).not.toContain(password);

    const events = acked.eventsOf(sessionId);
    const types = new Set(events.map((e) => e.type));
    for (const type of ['command.start', 'shell.start', 'privilege.use', 'idle.start', 'idle.end'])
      expect(types).toContain(type);
    expect(
      events.filter((e) => e.type === 'command.start').map((e) => e.attributes.commandLine),
    ).toEqual(expect.arrayContaining(['sleep 1']));
    expect(events.find((e) => e.type === 'privilege.use')?.attributes).toMatchObject({
      tool: 'sudo',
      targetUser: 'root',
    });
    const idleStart = events.find((e) => e.type === 'idle.start')!;
    const idleEnd = events.find((e) => e.type === 'idle.end')!;
    expect(idleEnd.offsetMs - idleStart.offsetMs).toBeGreaterThan(0);
    // The SSH connection's TCP statistics were sampled.
    expect(acked.metrics.length).toBeGreaterThan(0);

    // The command lines are searchable in the catalogue (what GET /api/v1/sessions?q= asks).
    let found: Awaited<ReturnType<Platform['search']>>['sessions'] = [];
    await waitFor(
      async () => {
        found = (await platform.search({ q: 'sleep', event: 'command.start' })).sessions;
        return found.some((s) => s.sessionId === sessionId);
      },
      30_000,
      'the session found by its command line',
    );
    const hit = found.find((s) => s.sessionId === sessionId)!;
    expect(
      hit.matches
        .filter((m) => 'type' in m && m.type === 'command.start')
        .map((m) => m.snippet ?? ''),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/sleep 1/)]));
    const sudo = await platform.search({ q: 'sudo' });
    expect(sudo.sessions.map((s) => s.sessionId)).toContain(sessionId);

    const stored = await platform.everyStoredByte();
    const all = [
      ...stored.objects.map((b) => b.toString('latin1')),
      ...stored.rows,
      ...stored.messages.map((b) => b.toString('latin1')),
    ];
    expect(all.some((text) => text.includes('root-0'))).toBe(true);
    expect(all.filter((text) => text.includes(password))).toEqual([]);
  });

  it('passes scp (scp and sftp protocols), remote commands and exit codes through, reporting the transfers', async () => {
    const before = acked.sessions.length;
    const local = path.join(platform.dir, 'payload.txt');
    await writeFile(local, 'transfer payload\n');
    await chmod(local, 0o644);
    const remote = `/tmp/sessionrec-scp-${randomBytes(4).toString('hex')}.txt`;
    // Legacy protocol: sshd runs `scp -t <file>`, which names the file.
    await run('scp', ['-O', ...sshArgs('-P', String(port)), local, `${USER}@127.0.0.1:${remote}`]);
    expect(await readFile(remote, 'utf8')).toBe('transfer payload\n');
    // SFTP protocol (scp's default): sshd runs the sftp subsystem through the wrapper.
    const back = path.join(platform.dir, 'back.txt');
    await run('scp', [...sshArgs('-P', String(port)), `${USER}@127.0.0.1:${remote}`, back]);
    expect(await readFile(back, 'utf8')).toBe('transfer payload\n');
    const { stdout } = await run(
      'ssh',
      sshArgs('-p', String(port), `${USER}@127.0.0.1`, 'echo via-$((40+2))'),
    );
    expect(stdout).toBe('via-42\n');
    const failed = await run(
      'ssh',
      sshArgs('-p', String(port), `${USER}@127.0.0.1`, 'exit 7'),
    ).catch((error: { code?: number }) => error);
    expect((failed as { code?: number }).code).toBe(7);
    await rm(remote, { force: true });

    const ended = () => {
      const mine = acked.sessions.slice(before).map((s) => String(s.sessionId));
      return mine.length === 4 && mine.every((id) => acked.ends.some((e) => e.sessionId === id));
    };
    await waitFor(() => Promise.resolve(ended()), 20_000, 'four sessions ended');
    await daemon.idle();
    const transfers = acked.events
      .filter((e) => e.type === 'file.transfer')
      .map((e) => e.attributes);
    expect(transfers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ tool: 'scp', direction: 'in', file: remote }),
        expect.objectContaining({ tool: 'sftp' }),
      ]),
    );
    // Sessions without a terminal are reported but not cast.
    const mine = acked.sessions.slice(before).map((s) => String(s.sessionId));
    expect(acked.recordings.filter((r) => mine.includes(r.sessionId))).toEqual([]);
    expect(acked.ends.filter((e) => mine.includes(e.sessionId)).map((e) => e.reason)).toEqual(
      expect.arrayContaining(['exit 0', 'exit 7']),
    );
  });
});
