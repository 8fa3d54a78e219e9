import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EXIT_USAGE, runCli } from './program';

async function run(args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(args, {
    env: {},
    out: (text) => (out += text),
    err: (text) => (err += text),
  });
  return { code, out, err };
}

const base = ['simulate', '--sessions', '2', '--duration', '10', '--ingest', 'http://127.0.0.1:9'];

describe('sessionrec-agent arguments', () => {
  it.each([
    [['--sessions', 'two'], /--sessions must be a whole number, got 'two'/],
    [['--sessions', '0'], /--sessions must be between 1 and/],
    [['--sessions', '1.5'], /--sessions must be a whole number/],
    [['--duration', '-3'], /--duration must be greater than 0/],
    [['--duration', 'abc'], /--duration must be a number/],
    [['--segment-seconds', '0.1'], /--segment-seconds must be greater than/],
    [['--event-rate', 'NaN'], /--event-rate must be a number/],
    [['--ramp-up', '-1'], /--ramp-up must be from 0 to/],
    [['--speed', '0'], /--speed must be greater than 0/],
    [['--kind', 'video'], /--kind must be one of desktop, terminal, mixed/],
    [['--ingest', 'nats://x'], /--ingest must be an http\(s\) URL/],
    [['--upload-concurrency', '100000'], /--upload-concurrency must be between 1 and 1024/],
    [['--spool-max-mb', '1e3'], /--spool-max-mb must be a whole number/],
  ])('%j is refused with a clear message and exit code 2', async (override, message) => {
    const args = [...base];
    for (let i = 0; i < override.length; i += 2) {
      const at = args.indexOf(override[i]!);
      if (at >= 0) args[at + 1] = override[i + 1]!;
      else args.push(override[i]!, override[i + 1]!);
    }
    const result = await run(args);
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.err).toMatch(message);
  });

  it('requires --sessions, --duration and --ingest, and knows its commands', async () => {
    expect((await run(['simulate', '--duration', '5', '--ingest', 'http://x'])).code).toBe(
      EXIT_USAGE,
    );
    const missing = await run(['simulate', '--sessions', '1', '--duration', '5']);
    expect(missing.code).toBe(EXIT_USAGE);
    expect(missing.err).toMatch(/--ingest/);
    expect((await run(['enrol', '--ingest', 'http://x'])).err).toMatch(/--token/);
    expect((await run(['frobnicate'])).code).toBe(EXIT_USAGE);
  });

  it('prints help and exits 0', async () => {
    const result = await run(['simulate', '--help']);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/--segment-seconds/);
  });

  it('without a stored identity, simulate asks for --token instead of calling ingest', async () => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'agent-cli-'));
    try {
      const result = await run([...base, '--state-dir', stateDir, '--quiet']);
      expect(result.code).toBe(1);
      expect(result.err).toMatch(/pass --token to enrol/);
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
