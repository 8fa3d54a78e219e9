/**
 * What a plausible administrator types into a shell, with the output each command
 * prints: the material the terminal simulator turns into asciicast and events.
 */
import type { Random } from '../random';

export interface ShellCommand {
  readonly line: string;
  readonly output: readonly string[];
  /** Directory after the command ran. */
  readonly cwd?: string;
  readonly privileged?: boolean;
  readonly transfer?: { tool: string; direction: 'in' | 'out'; file: string; bytes: number };
}

type Builder = (random: Random, cwd: string, user: string) => ShellCommand;

const pad = (value: string | number, width: number) => String(value).padStart(width);
const time = (random: Random) =>
  `${pad(random.int(0, 23), 2).replace(' ', '0')}:${String(random.int(0, 59)).padStart(2, '0')}`;

const BUILDERS: readonly Builder[] = [
  (random) => ({
    line: 'ls -la',
    output: [
      `total ${random.int(20, 90)}`,
      'drwxr-xr-x  6 app  app  4096 Mar  3 09:12 .',
      'drwxr-xr-x 24 root root 4096 Jan 18 14:02 ..',
      `-rw-r--r--  1 app  app  ${pad(random.int(200, 9000), 4)} Mar  3 ${time(random)} config.yaml`,
      `-rw-r--r--  1 app  app  ${random.int(10000, 900000)} Mar  3 ${time(random)} app.log`,
      'drwxr-xr-x  2 app  app  4096 Feb 27 16:40 scripts',
    ],
  }),
  (random) => ({
    line: 'df -h /',
    output: [
      'Filesystem      Size  Used Avail Use% Mounted on',
      `/dev/sda1        98G  ${random.int(20, 80)}G  ${random.int(10, 60)}G  ${random.int(25, 85)}% /`,
    ],
  }),
  (random) => ({
    line: 'uptime',
    output: [
      ` ${time(random)}:${String(random.int(10, 59))} up ${random.int(1, 200)} days,  ${random.int(1, 5)} users,  load average: ${random.between(0, 2).toFixed(2)}, ${random.between(0, 2).toFixed(2)}, ${random.between(0, 2).toFixed(2)}`,
    ],
  }),
  (random) => ({
    line: 'tail -n 4 /var/log/syslog',
    output: Array.from({ length: 4 }, () => {
      const unit = random.pick(['nginx.service', 'cron', 'systemd-timesyncd', 'sshd']);
      return `Mar  3 ${time(random)}:${String(random.int(10, 59))} srv ${unit}[${random.int(300, 9000)}]: ${random.pick(['Started session', 'Reloaded configuration', 'Synchronized to time server', 'Accepted publickey'])}`;
    }),
  }),
  (random) => ({
    line: 'ps aux --sort=-%cpu | head -4',
    output: [
      'USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND',
      `app       ${random.int(1000, 9999)} ${random.between(5, 40).toFixed(1)}  3.1 812344 126220 ?  Ssl  09:01   1:12 node dist/main.js`,
      `postgres  ${random.int(1000, 9999)}  ${random.between(0, 5).toFixed(1)}  1.2 215672 48200 ?  Ss   08:58   0:09 postgres: writer`,
      `root      ${random.int(100, 999)}  0.3  0.1  72300  5600 ?  Ss   08:57   0:01 /usr/sbin/sshd -D`,
    ],
  }),
  () => ({ line: 'cd /var/log', output: [], cwd: '/var/log' }),
  (_random, _cwd, user) => ({ line: 'cd ~', output: [], cwd: `/home/${user}` }),
  (random) => ({
    line: 'grep -c ERROR app.log',
    output: [String(random.int(0, 40))],
  }),
  (random) => ({
    line: 'free -m',
    output: [
      '               total        used        free      shared  buff/cache   available',
      `Mem:           15890        ${random.int(2000, 9000)}        ${random.int(500, 4000)}         312        5120        8800`,
    ],
  }),
  (random) => ({
    line: 'sudo systemctl restart nginx',
    output: random.chance(0.5) ? [] : ['Job for nginx.service finished.'],
    privileged: true,
  }),
  (_random, cwd, user) => ({
    line: 'sudo -l',
    output: [
      `User ${user} may run the following commands on this host:`,
      '    (root) /usr/bin/systemctl restart nginx, /usr/bin/journalctl',
    ],
    cwd,
    privileged: true,
  }),
  (random) => {
    const bytes = random.int(20_000, 4_000_000);
    return {
      line: 'scp ./report.csv backup01:/srv/backup/',
      output: [
        `report.csv                          100% ${Math.round(bytes / 1024)}KB   4.2MB/s   00:00`,
      ],
      transfer: { tool: 'scp', direction: 'out', file: 'report.csv', bytes },
    };
  },
  (random) => {
    const bytes = random.int(100_000, 9_000_000);
    return {
      line: 'rsync -av backup01:/srv/exports/users.db .',
      output: [
        'receiving incremental file list',
        'users.db',
        '',
        `sent 43 bytes  received ${bytes} bytes  ${random.int(100, 900)}.00 bytes/sec`,
      ],
      transfer: { tool: 'rsync', direction: 'in', file: 'users.db', bytes },
    };
  },
  () => ({
    line: 'git status --short',
    output: [' M config.yaml', '?? scripts/rotate.sh'],
  }),
];

export function nextShellCommand(random: Random, cwd: string, user: string): ShellCommand {
  return random.pick(BUILDERS)(random, cwd, user);
}
