/**
 * `sessionrec-agent shell` / `sessionrec-shell`: the session wrapper, set as a user's
 * login shell or as sshd's ForceCommand. It finds the user's real shell, connects to the
 * agent daemon, and runs an interactive shell in a pseudo-terminal or, for
 * $SSH_ORIGINAL_COMMAND / `-c` without a terminal, the command as it is (scp, sftp,
 * rsync keep working and their exit codes come back). When the daemon cannot be
 * reached, the configuration says whether the user gets in unrecorded or is turned away.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { type AgentConfig, loadConfig } from '../daemon/config';
import { DaemonLink, DaemonRefusedError, DaemonUnavailableError } from './daemon-link';
import { runCommandSession } from './command-session';
import { runTerminalSession } from './terminal-session';

export interface ShellInvocation {
  /** The command to run: -c's argument, else $SSH_ORIGINAL_COMMAND under ForceCommand. */
  readonly command?: string;
  readonly configPath: string;
  readonly env: NodeJS.ProcessEnv;
}

const WRAPPER_NAMES = new Set(['sessionrec-shell', 'sessionrec-agent', 'sessionrec-shell.js']);

/** The shell to run: the user's login shell, unless that is this wrapper. */
export function userShell(config: AgentConfig, passwdShell: string | undefined): string {
  const shell = passwdShell ?? '';
  if (!shell || WRAPPER_NAMES.has(path.basename(shell))) return config.terminal.fallbackShell;
  return shell;
}

/** Runs the session and resolves with the exit code the wrapper must exit with. */
export async function runShell(invocation: ShellInvocation): Promise<number> {
  const config = await loadConfig(invocation.configPath);
  const env = { ...invocation.env };
  const command = invocation.command ?? env.SSH_ORIGINAL_COMMAND;
  let info: os.UserInfo<string> | undefined;
  try {
    info = os.userInfo();
  } catch {
    info = undefined;
  }
  const shell = userShell(config, info?.shell ?? undefined);
  const cwd = info?.homedir && path.isAbsolute(info.homedir) ? info.homedir : '/';
  env.SHELL = shell;
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  let link: DaemonLink;
  try {
    link = await DaemonLink.open(config.socket, {
      t: 'hello',
      v: 1,
      pid: process.pid,
      interactive,
      ...(env.SSH_CONNECTION ? { sshConnection: env.SSH_CONNECTION.slice(0, 256) } : {}),
      ...(command ? { command: command.slice(0, 8192) } : {}),
      width: Math.min(1000, Math.max(1, process.stdout.columns || 80)),
      height: Math.min(1000, Math.max(1, process.stdout.rows || 24)),
    });
  } catch (error) {
    if (error instanceof DaemonRefusedError) {
      process.stderr.write(`[Session recording] ${error.message}\n`);
      return 1;
    }
    if (!(error instanceof DaemonUnavailableError)) throw error;
    if (config.terminal.whenAgentDown === 'refuse') {
      process.stderr.write(
        '[Session recording] The session recording agent is not available; logins are refused until it is back.\n',
      );
      return 1;
    }
    process.stderr.write(
      '[Session recording] The recording agent is not available: this session is NOT recorded.\n',
    );
    return runUnrecorded(shell, command, env, cwd);
  }
  if (interactive) {
    return runTerminalSession({
      link,
      shell,
      args: command ? ['-c', command] : ['-l'],
      env,
      cwd,
      io: { stdin: process.stdin, stdout: process.stdout },
    });
  }
  if (!command) {
    // No terminal and no command: a shell reading commands from stdin (ssh -T host).
    return runCommandSession({ link, shell, command: `exec ${shell} -s`, env, cwd });
  }
  return runCommandSession({ link, shell, command, env, cwd });
}

function runUnrecorded(
  shell: string,
  command: string | undefined,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(shell, command ? ['-c', command] : ['-l'], { stdio: 'inherit', env, cwd });
    child.once('exit', (code, signal) =>
      resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 1)),
    );
    child.once('error', () => resolve(127));
  });
}
