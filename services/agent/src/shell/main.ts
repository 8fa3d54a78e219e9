/**
 * Entry point of `sessionrec-shell` (bin/sessionrec-shell.js), the form sshd and login(1)
 * run: `sessionrec-shell [--config FILE] [-l] [-c COMMAND]`. Anything unexpected ends
 * the session with a message rather than a stack trace on the user's terminal.
 */
import { DEFAULT_CONFIG_PATH } from '../daemon/config';
import { runShell } from './run-shell';

export function parseShellArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): { configPath: string; command?: string } {
  let configPath = env.SESSIONREC_AGENT_CONFIG ?? DEFAULT_CONFIG_PATH;
  let command: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--config' && argv[i + 1] !== undefined) configPath = argv[++i]!;
    else if (arg === '-c' && argv[i + 1] !== undefined) {
      command = argv[++i]!;
      break; // like sh -c: what follows is the command's own $0, $1 ...
    }
    // -l, -i and other shell flags a login(1) or sshd may pass are accepted and ignored.
  }
  return { configPath, ...(command !== undefined ? { command } : {}) };
}

export async function main(): Promise<void> {
  const { configPath, command } = parseShellArgs(process.argv.slice(2), process.env);
  try {
    const code = await runShell({
      configPath,
      env: process.env,
      ...(command !== undefined ? { command } : {}),
    });
    process.exit(code);
  } catch (error) {
    process.stderr.write(
      `[Session recording] session could not start: ${(error as Error).message}\n`,
    );
    process.exit(1);
  }
}
