/**
 * An interactive session: the user's shell in a pseudo-terminal (node-pty), its output
 * shown to the user and, while recording, written as asciicast segments; keystrokes
 * recorded only when policy captures input and the terminal echoes (never what is typed
 * at a password prompt). Window-size changes follow the user's terminal. Commands from
 * the daemon lock and unlock input, end the session, block transfers, show notices and
 * switch recording on or off without interrupting the shell.
 */
import { spawn as spawnPty, type IPty } from 'node-pty';
import type { DaemonMessage } from '../daemon/wire';
import { parseSshConnection } from '../detect/tcp-info';
import { CastRecorder } from '../terminal/cast-recorder';
import { inputVisible, perlTermiosReader, type TermiosReader } from '../terminal/echo';
import type { DaemonLink } from './daemon-link';
import { SessionActivity } from './session-activity';

export interface TerminalIo {
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
}

export interface TerminalSessionOptions {
  readonly link: DaemonLink;
  readonly shell: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly io: TerminalIo;
  /** Tests and the benchmark may replace the kernel's terminal flags. */
  readonly termios?: (ptsName: string) => TermiosReader;
}

const LOCKED = '\r\n[Session recording] This session has been locked by an administrator.';
const UNLOCKED = '\r\n[Session recording] This session has been unlocked.\r\n';

export async function runTerminalSession(options: TerminalSessionOptions): Promise<number> {
  const { link, io } = options;
  const welcome = link.welcome;
  const startedAt = Date.now();
  const nowMs = () => Date.now() - startedAt;
  const size = () => ({ cols: io.stdout.columns || 80, rows: io.stdout.rows || 24 });
  const tell = (text: string) => io.stdout.write(text);

  if (welcome.notice) tell(`[Session recording] ${welcome.notice}\r\n`);

  const pty: IPty = spawnPty(options.shell, [...options.args], {
    name: options.env.TERM || 'xterm-256color',
    ...size(),
    cwd: options.cwd,
    env: options.env,
  });
  // The daemon reports the execs below the shell, from the kernel, when it can.
  link.send({ t: 'root', pid: pty.pid });
  const ptsName = (pty as unknown as { ptsName?: string }).ptsName ?? '';
  const termios = (options.termios ?? perlTermiosReader)(ptsName);
  const activity = new SessionActivity({
    link,
    rootPid: pty.pid,
    nowMs,
    idleSeconds: welcome.idleSeconds,
    metricSeconds: welcome.metricSeconds,
    ssh: parseSshConnection(options.env.SSH_CONNECTION),
    tell,
    interactive: true,
    reportRoot: true,
    reportCommands: !welcome.execTracing,
  });

  let cast: CastRecorder | undefined;
  const startCast = (recordingId: string | null, inputCapture: boolean) => {
    flushCast();
    cast = recordingId
      ? new CastRecorder({
          recordingId,
          startMs: nowMs(),
          startedAt: new Date(),
          width: size().cols,
          height: size().rows,
          inputCapture,
          env: { TERM: options.env.TERM || 'xterm-256color', SHELL: options.shell },
          title: `${welcome.user}@${options.env.HOSTNAME ?? ''}`.replace(/@$/, ''),
        })
      : undefined;
  };
  const flushCast = () => {
    const segment = cast?.cut(nowMs());
    if (segment) {
      link.send({
        t: 'segment',
        recordingId: segment.recordingId,
        startMs: segment.startMs,
        endMs: segment.endMs,
        data: Buffer.from(segment.text, 'utf8').toString('base64'),
      });
    }
  };
  startCast(welcome.recording.recordingId, welcome.recording.inputCapture);

  let locked = false;
  let ending: string | undefined;
  const onCommand = async (message: Extract<DaemonMessage, { t: 'command' }>) => {
    const verdict = (status: 'acked' | 'failed', detail: string) =>
      link.send({ t: 'verdict', commandId: message.commandId, status, detail });
    switch (message.action) {
      case 'lock':
        locked = true;
        tell(`${LOCKED}${message.message ? ` ${message.message}` : ''}\r\n`);
        activity.event('session.lock', { by: 'administrator' });
        return verdict('acked', 'input locked');
      case 'unlock':
        if (!locked) return verdict('failed', 'not locked');
        locked = false;
        tell(UNLOCKED);
        activity.event('session.unlock', { by: 'administrator' });
        return verdict('acked', 'input unlocked');
      case 'notice':
        tell(`\r\n[Session recording] ${message.message ?? 'Notice from your administrator.'}\r\n`);
        return verdict('acked', 'notice shown');
      case 'block-transfer': {
        const stopped = await activity.blockTransfers();
        tell('\r\n[Session recording] File transfers are blocked in this session.\r\n');
        return verdict('acked', `transfers blocked; ${stopped} running transfer(s) stopped`);
      }
      case 'disconnect':
      case 'logoff': {
        ending = message.action === 'logoff' ? 'logoff' : 'disconnected';
        tell(
          `\r\n[Session recording] ${message.message ?? `This session is being ${message.action === 'logoff' ? 'logged off' : 'disconnected'} by an administrator.`}\r\n`,
        );
        activity.event('response.executed', { action: message.action });
        verdict(
          'acked',
          message.action === 'logoff' ? 'shell and its processes ended' : 'session ended',
        );
        // A disconnect hangs up the shell, as a dropped connection would; a logoff also
        // ends every process left in the session's process group.
        if (message.action === 'disconnect') {
          pty.kill('SIGHUP');
        } else {
          const group = (signal: NodeJS.Signals) => {
            try {
              process.kill(-pty.pid, signal);
            } catch {
              // already gone
            }
          };
          group('SIGHUP');
          setTimeout(() => group('SIGKILL'), 3000).unref();
        }
        return;
      }
    }
  };
  link.onMessage((message) => {
    if (message.t === 'command') void onCommand(message);
    else if (message.t === 'recording' || message.t === 'resumed') {
      const next = message.recording;
      if (
        next.recordingId !== (cast?.recordingId ?? null) ||
        next.inputCapture !== (cast?.inputCapture ?? false)
      ) {
        startCast(next.recordingId, next.inputCapture);
      }
      if (message.t === 'recording') link.send({ t: 'switched', ref: message.ref });
    }
  });

  // Keystrokes go to the shell in order; when they may be recorded, the echo check comes first.
  let inputChain: Promise<void> = Promise.resolve();
  const onInput = (chunk: Buffer) => {
    if (locked) return;
    activity.input();
    const text = chunk.toString('utf8');
    const recorder = cast;
    if (!recorder?.inputCapture) {
      pty.write(text);
      return;
    }
    const at = nowMs();
    inputChain = inputChain.then(async () => {
      if (inputVisible(await termios.lflag())) recorder.input(text, at);
      pty.write(text);
    });
  };
  pty.onData((data) => {
    io.stdout.write(data);
    if (cast) {
      cast.output(data, nowMs());
      if (cast.full) flushCast();
    }
  });
  const onResize = () => {
    const { cols, rows } = size();
    pty.resize(cols, rows);
    cast?.resize(cols, rows, nowMs());
  };
  io.stdout.on('resize', onResize);
  if (io.stdin.isTTY) io.stdin.setRawMode(true);
  io.stdin.on('data', onInput);
  io.stdin.resume();
  activity.start();
  const segmentTimer = setInterval(flushCast, welcome.segmentSeconds * 1000);

  const exit = await new Promise<{ exitCode: number; signal?: number }>((resolve) =>
    pty.onExit(resolve),
  );
  clearInterval(segmentTimer);
  io.stdin.off('data', onInput);
  io.stdout.off('resize', onResize);
  if (io.stdin.isTTY) io.stdin.setRawMode(false);
  io.stdin.pause();
  await inputChain;
  termios.close();
  await activity.stop();
  flushCast();
  const code = exit.signal ? 128 + exit.signal : exit.exitCode;
  link.send({ t: 'end', offsetMs: nowMs(), reason: ending ?? 'logout' });
  await link.close();
  return code;
}
