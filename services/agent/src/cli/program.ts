/**
 * The `sessionrec-agent` command line: enrol, run (the daemon), shell (the session
 * wrapper), simulate. Arguments are checked before
 * anything touches the network; usage errors exit with 2, failures with 1.
 */
import { Command, CommanderError, Option } from 'commander';
import { loadConfig, DEFAULT_CONFIG_PATH } from '../daemon/config';
import { AgentDaemon } from '../daemon/agent-daemon';
import { enrol } from '../identity/enrol';
import { runShell } from '../shell/run-shell';
import { runDesktop } from '../desktop/run-desktop';
import { resolveStateDir } from '../identity/identity-store';
import { runSimulation } from '../simulate';
import { formatSummary } from '../simulate/summary';
import {
  UsageError,
  choice,
  ingestUrl,
  nonNegativeInteger,
  nonNegativeNumber,
  positiveInteger,
  positiveNumber,
} from './arguments';

export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Aborted on SIGINT/SIGTERM: a simulation ends its sessions and drains. */
  readonly signal?: AbortSignal;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

interface SimulateFlags {
  sessions: number;
  duration: number;
  ingest: string;
  token?: string;
  stateDir?: string;
  spool?: string;
  kind: 'desktop' | 'terminal' | 'mixed';
  segmentSeconds: number;
  rampUp: number;
  eventRate: number;
  speed: number;
  spoolMaxMb: number;
  uploadConcurrency: number;
  drainTimeout: number;
  control: boolean;
  record: 'policy' | 'always';
  policyFailureMode: 'record' | 'do-not-record';
  triggerAt?: number;
  spoolFsync: boolean;
  spoolInMemory?: boolean;
  seed?: number;
  json?: boolean;
  quiet?: boolean;
}

function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('sessionrec-agent')
    .description('Sessionrec session-host agent')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) });

  program
    .command('enrol')
    .description(
      'trade a one-time enrolment token for an agent identity, kept in the state directory',
    )
    .requiredOption('--ingest <url>', 'ingest base URL, e.g. http://127.0.0.1:8081', ingestUrl)
    .requiredOption('--token <token>', 'one-time enrolment token (sessionrec enrol-token create)')
    .option(
      '--state-dir <dir>',
      'state directory (default $SESSIONREC_AGENT_STATE or ./.sessionrec-agent)',
    )
    .option('--hostname <name>', 'host name to enrol as (default: this machine)')
    .action(
      async (flags: { ingest: string; token: string; stateDir?: string; hostname?: string }) => {
        const stateDir = resolveStateDir(flags.stateDir, io.env);
        const identity = await enrol({
          ingest: flags.ingest,
          token: flags.token,
          stateDir,
          ...(flags.hostname ? { hostname: flags.hostname } : {}),
        });
        io.out(`enrolled as agent ${identity.agentId}; identity stored in ${stateDir}\n`);
      },
    );

  program
    .command('run')
    .description(
      'the agent daemon (systemd service): uploads the spool, keeps the control channel, serves session wrappers',
    )
    .option('--config <file>', 'configuration file', DEFAULT_CONFIG_PATH)
    .option('--token <token>', 'enrolment token (needed once, when no identity is stored)')
    .action(async (flags: { config: string; token?: string }) => {
      const config = await loadConfig(flags.config);
      const daemon = new AgentDaemon({
        config,
        ...(flags.token ? { token: flags.token } : {}),
        log: (line) => io.err(`${line}\n`),
      });
      await daemon.start();
      await new Promise<void>((resolve) => {
        if (!io.signal || io.signal.aborted) return resolve();
        io.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      await daemon.stop();
    });

  program
    .command('shell')
    .description(
      'the session wrapper (login shell or sshd ForceCommand); sessionrec-shell is the same',
    )
    .option('--config <file>', 'configuration file', DEFAULT_CONFIG_PATH)
    .option('-c <command>', 'run this command instead of an interactive shell')
    .action(async (flags: { config: string; c?: string }) => {
      setExit(
        await runShell({
          configPath: flags.config,
          env: io.env,
          ...(flags.c !== undefined ? { command: flags.c } : {}),
        }),
      );
    });

  program
    .command('desktop')
    .description(
      "the desktop session (started in the user's X session: ~/.xsession, xrdp startwm.sh or XDG autostart)",
    )
    .option('--config <file>', 'configuration file', DEFAULT_CONFIG_PATH)
    .option('--display <display>', 'X display to record (default $DISPLAY)')
    .action(async (flags: { config: string; display?: string }) => {
      const reason = await runDesktop({
        configPath: flags.config,
        env: io.env,
        log: (line) => io.err(`${line}\n`),
        ...(flags.display ? { display: flags.display } : {}),
        ...(io.signal ? { signal: io.signal } : {}),
      });
      io.err(`desktop session ended (${reason})\n`);
    });

  program
    .command('simulate')
    .description('run synthetic desktop and terminal sessions against ingest')
    .requiredOption('--sessions <n>', 'concurrent sessions', positiveInteger('--sessions', 10_000))
    .requiredOption(
      '--duration <seconds>',
      'simulated length of each session',
      positiveNumber('--duration', 7 * 24 * 3600),
    )
    .requiredOption('--ingest <url>', 'ingest base URL, e.g. http://127.0.0.1:8081', ingestUrl)
    .option('--token <token>', 'enrolment token (needed once, when no identity is stored)')
    .option(
      '--state-dir <dir>',
      'state directory (default $SESSIONREC_AGENT_STATE or ./.sessionrec-agent)',
    )
    .option(
      '--spool <dir>',
      'spool directory (default <state-dir>/spool); one subdirectory per agent',
    )
    .addOption(
      new Option('--kind <kind>', 'session kind')
        .default('mixed')
        .argParser(choice('--kind', ['desktop', 'terminal', 'mixed'] as const)),
    )
    .option(
      '--segment-seconds <s>',
      'simulated seconds per segment',
      positiveNumber('--segment-seconds', 600, 0.49),
      6,
    )
    .option(
      '--event-rate <n>',
      'event batches per second per session',
      positiveNumber('--event-rate', 100),
      2,
    )
    .option(
      '--ramp-up <s>',
      'simulated seconds over which the sessions start, evenly spaced (0: all at once)',
      nonNegativeNumber('--ramp-up', 24 * 3600),
      0,
    )
    .option(
      '--speed <x>',
      'simulated seconds per wall-clock second',
      positiveNumber('--speed', 10_000),
      1,
    )
    .option(
      '--spool-max-mb <mb>',
      'spool size limit in MiB',
      positiveInteger('--spool-max-mb', 1_048_576),
      512,
    )
    .option(
      '--upload-concurrency <n>',
      'requests in flight at once',
      positiveInteger('--upload-concurrency', 1024),
      8,
    )
    .option(
      '--drain-timeout <seconds>',
      'wait this long at the end for the spool to empty',
      nonNegativeInteger('--drain-timeout'),
      60,
    )
    .option('--no-control', 'do not open the control WebSocket')
    .addOption(
      new Option(
        '--record <mode>',
        'policy: ask policy for each session and obey it; always: record every session',
      )
        .default('policy')
        .argParser(choice('--record', ['policy', 'always'] as const)),
    )
    .addOption(
      new Option('--policy-failure-mode <mode>', 'decision when ingest cannot be asked')
        .default('do-not-record')
        .argParser(choice('--policy-failure-mode', ['record', 'do-not-record'] as const)),
    )
    .option(
      '--trigger-at <seconds>',
      "each session emits, at this session time, an event firing its policy's record-on-event trigger",
      positiveNumber('--trigger-at', 7 * 24 * 3600),
    )
    .option(
      '--no-spool-fsync',
      'load generation only: do not fsync spooled items (thousands of sessions on one disk)',
    )
    .option(
      '--spool-in-memory',
      'load generation only: keep the spool in memory (a crash loses what was unsent)',
    )
    .option('--seed <n>', 'random seed, to repeat a simulation', nonNegativeInteger('--seed'))
    .option('--json', 'print the summary as JSON')
    .option('--quiet', 'no progress lines on stderr')
    .action(async (flags: SimulateFlags) => {
      const summary = await runSimulation(
        {
          ingest: flags.ingest,
          token: flags.token,
          stateDir: resolveStateDir(flags.stateDir, io.env),
          spoolDir: flags.spool,
          sessions: flags.sessions,
          durationSeconds: flags.duration,
          kind: flags.kind,
          segmentSeconds: flags.segmentSeconds,
          eventRate: flags.eventRate,
          speed: flags.speed,
          rampUpSeconds: flags.rampUp,
          spoolMaxBytes: flags.spoolMaxMb * 1024 * 1024,
          uploadConcurrency: flags.uploadConcurrency,
          drainTimeoutSeconds: flags.drainTimeout,
          control: flags.control,
          record: flags.record,
          policyFailureMode: flags.policyFailureMode,
          ...(flags.triggerAt !== undefined ? { triggerAtSeconds: flags.triggerAt } : {}),
          spoolFsync: flags.spoolFsync,
          spoolInMemory: flags.spoolInMemory === true,
          seed: flags.seed,
          progressIntervalMs: flags.quiet ? 0 : 2000,
        },
        { log: (line) => io.err(`${line}\n`), ...(io.signal ? { signal: io.signal } : {}) },
      );
      io.out(flags.json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary)}\n`);
      setExit(summary.errors > 0 ? EXIT_FAILED : EXIT_OK);
    });
  return program;
}

/** Runs the CLI and returns the process exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = EXIT_OK;
  const program = buildProgram(io, (code) => (exitCode = code));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander too; they exit 0.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (error instanceof UsageError) {
      io.err(`sessionrec-agent: ${error.message}\n`);
      return EXIT_USAGE;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.err(`sessionrec-agent: ${message}\n`);
    if (io.env.DEBUG && error instanceof Error) io.err(`${error.stack}\n`);
    return EXIT_FAILED;
  }
}
