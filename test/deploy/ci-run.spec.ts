// Static checks of .ci/run: CI must start the services the integration tests need with the
// machine's own commands, fail fast, and end by running the README's `npm test`.
import { statSync } from 'node:fs';
import { readRepoFile, repoPath } from './repo';

const script = readRepoFile('.ci/run');
const lines = script.split('\n').map((l) => l.trim());

describe('.ci/run', () => {
  it('is an executable bash script that stops at the first error', () => {
    expect(statSync(repoPath('.ci/run')).mode & 0o111).not.toBe(0);
    expect(lines[0]).toMatch(/^#!\/usr\/bin\/env bash$|^#!\/bin\/bash$/);
    expect(lines).toContain('set -euo pipefail');
  });

  it('starts PostgreSQL and NATS with the machine commands when they are down', () => {
    expect(lines).toContain(
      'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
    );
    expect(lines).toContain(
      'start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log',
    );
    expect(script).toMatch(/pg_isready/);
    expect(script).toMatch(/\/dev\/tcp\/127\.0\.0\.1\/4222/);
  });

  it('installs ffmpeg only when missing, then npm ci and npm test', () => {
    expect(lines).toContain('need_apt ffmpeg');
    const ci = lines.indexOf('npm ci --no-audit --no-fund');
    const test = lines.indexOf('npm test');
    expect(ci).toBeGreaterThan(-1);
    expect(test).toBeGreaterThan(ci);
  });
});
