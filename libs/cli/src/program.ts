/** The `sessionrec` command line: one commander program, each command a small function. */
import { Command } from 'commander';
import { registerAdminCommands } from './admin/admin-create';
import { registerAgentCommands } from './agents/commands';
import { readDatabaseUrl, readLauncherEnv } from './environment';
import { migrate } from './migrate';
import { repoRoot } from './paths';
import { platformOptions } from './start/from-env';
import { startPlatform } from './start/start-platform';

export interface ProgramIo {
  readonly env: NodeJS.ProcessEnv;
  readonly out: (line: string) => void;
  /** Where the process exit code goes (process.exitCode in the real CLI). */
  readonly setExitCode: (code: number) => void;
}

export function buildProgram(io: ProgramIo): Command {
  const program = new Command('sessionrec')
    .description('Sessionrec operator CLI')
    .showHelpAfterError()
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()) });

  program
    .command('migrate')
    .description('create the database if needed and apply every pending migration')
    .action(async () => {
      await migrate(readDatabaseUrl(io.env), io.out);
    });

  program
    .command('start')
    .description('run the whole platform on this machine (what `npm start` does)')
    .action(async () => {
      io.setExitCode(await startPlatform(platformOptions(readLauncherEnv(io.env), repoRoot())));
    });

  registerAgentCommands(program, io);
  registerAdminCommands(program, io);

  return program;
}
