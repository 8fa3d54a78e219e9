/**
 * Entry point of `npx sessionrec-agent` (bin/sessionrec-agent.js loads this). The first
 * SIGINT/SIGTERM ends simulated sessions and drains the spool; a second one exits now.
 */
import { runCli } from './cli/program';

async function main(): Promise<void> {
  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) process.exit(130);
    process.stderr.write('sessionrec-agent: stopping (again to quit now)\n');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const code = await runCli(process.argv.slice(2), {
    env: process.env,
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    signal: abort.signal,
  });
  process.exitCode = code;
  // Let stdout flush, then leave even if a stray handle (socket, timer) is still open.
  process.stdout.write('', () => process.exit(code));
}

void main();
