/**
 * A session without a terminal: `ssh host command`, scp, sftp and rsync, which sshd
 * runs through the wrapper as $SSH_ORIGINAL_COMMAND under ForceCommand. The command
 * runs with the session's own stdin, stdout and stderr (the binary transfer protocols
 * pass untouched) and its exit code is the wrapper's. Its byte stream is not recorded;
 * the commands it starts and the file transfers are reported as events, and transfers
 * are stopped while blocked.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { splitCommandLine } from '../detect/classify';
import { parseSshConnection } from '../detect/tcp-info';
import type { DaemonLink } from './daemon-link';
import { SessionActivity } from './session-activity';

export interface CommandSessionOptions {
  readonly link: DaemonLink;
  readonly shell: string;
  readonly command: string;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export async function runCommandSession(options: CommandSessionOptions): Promise<number> {
  const { link } = options;
  const startedAt = Date.now();
  const nowMs = () => Date.now() - startedAt;
  const child = spawn(options.shell, ['-c', options.command], {
    stdio: 'inherit',
    env: options.env,
    cwd: options.cwd,
  });
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) =>
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 1)),
    );
    child.once('error', () => resolve(127));
  });
  if (child.pid) link.send({ t: 'root', pid: child.pid });
  const activity = new SessionActivity({
    link,
    rootPid: child.pid ?? process.pid,
    nowMs,
    idleSeconds: link.welcome.idleSeconds,
    metricSeconds: link.welcome.metricSeconds,
    ssh: parseSshConnection(options.env.SSH_CONNECTION),
    // Nothing may be written into a binary protocol's stream; stderr reaches the user's client.
    tell: (text) => process.stderr.write(text.replace(/\r/g, '')),
    interactive: false,
    reportRoot: false,
    reportCommands: !link.welcome.execTracing,
  });
  // The command is known before it runs (scp -t, rsync --server, sftp-server may be over
  // before the first look at /proc): it is reported from its words.
  const words = splitCommandLine(options.command);
  if (words.length > 0) {
    activity.processStarted({
      pid: child.pid ?? 0,
      ppid: process.pid,
      argv: words,
      cwd: options.cwd,
    });
  }
  let ending: string | undefined;
  link.onMessage((message) => {
    if (message.t === 'recording') link.send({ t: 'switched', ref: message.ref });
    if (message.t !== 'command') return;
    const verdict = (status: 'acked' | 'failed', detail: string) =>
      link.send({ t: 'verdict', commandId: message.commandId, status, detail });
    if (message.action === 'block-transfer') {
      void activity
        .blockTransfers()
        .then((stopped) =>
          verdict('acked', `transfers blocked; ${stopped} running transfer(s) stopped`),
        );
    } else if (message.action === 'disconnect' || message.action === 'logoff') {
      ending = message.action === 'logoff' ? 'logoff' : 'disconnected';
      child.kill('SIGHUP');
      verdict('acked', 'command ended');
    } else if (message.action === 'notice') {
      process.stderr.write(`[Session recording] ${message.message ?? ''}\n`);
      verdict('acked', 'notice written to stderr');
    } else {
      verdict('failed', `${message.action} needs an interactive session`);
    }
  });
  activity.start();
  const code = await exited;
  await activity.stop();
  link.send({ t: 'end', offsetMs: nowMs(), reason: ending ?? `exit ${code}` });
  await link.close();
  return code;
}
