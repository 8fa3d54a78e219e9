/**
 * Entry point of `npx sessionrec` (bin/sessionrec.js loads this). Errors become one clear
 * message and a non-zero exit; stack traces only with DEBUG set.
 */
import { buildProgram } from './program';

async function main(): Promise<void> {
  const program = buildProgram({
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    setExitCode: (code) => (process.exitCode = code),
  });
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`sessionrec: ${message}\n`);
    if (process.env.DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exitCode = 1;
  }
  // A finished command has nothing left to wait for; do not let a stray handle keep us up.
  process.exit();
}

void main();
