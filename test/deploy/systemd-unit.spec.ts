// The agent's systemd unit as systemd itself reads it: `systemd-analyze verify` (Debian's
// systemd package; nothing runs) must accept it without a single warning. The unit's
// ExecStart names the installed binary; here it points at this checkout's, the only
// change made before the check.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { readRepoFile, repoPath } from './repo';

const run = promisify(execFile);
const UNIT = 'deploy/systemd/sessionrec-agent.service';

async function verify(text: string): Promise<{ code: number; output: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'unit-'));
  const file = path.join(dir, 'sessionrec-agent.service');
  try {
    await writeFile(file, text);
    const result = await run('systemd-analyze', ['verify', file]).then(
      ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: error.code ?? 1,
        output: (error.stdout ?? '') + (error.stderr ?? ''),
      }),
    );
    return { code: result.code, output: result.output.replaceAll(file, UNIT).trim() };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('the agent systemd unit', () => {
  const unit = readRepoFile(UNIT).replace(
    'ExecStart=/usr/bin/sessionrec-agent ',
    `ExecStart=${repoPath('services/agent/bin/sessionrec-agent.js')} `,
  );

  it('runs the agent daemon with the documented config file', () => {
    expect(unit).toContain('sessionrec-agent.js run --config /etc/sessionrec/agent.yaml');
  });

  it('passes systemd-analyze verify without a warning', async () => {
    expect(await verify(unit)).toEqual({ code: 0, output: '' });
  });

  it('is a check that can fail: a mistyped key or value is reported', async () => {
    const broken = await verify(unit.replace('KillMode=mixed', 'KillMode=gently\nRestartSecs=2'));
    expect(broken.output).toMatch(/kill mode/i);
    expect(broken.output).toMatch(/Unknown key 'RestartSecs'/);
  });
});
