/**
 * May a keystroke be recorded? Only when the terminal shows what is typed. Programs
 * that read a password (sudo, su, passwd, ssh, `read -s`, getpass) turn ECHO off and
 * keep the line discipline canonical; programs that echo by themselves (readline in
 * bash, editors, pagers) turn both ECHO and ICANON off. So a keystroke is recorded when
 * ECHO is on, or when ICANON is off too; never in the password state (ECHO off,
 * ICANON on), and never when the state cannot be read (fail closed).
 *
 * The terminal's flags come from the kernel (tcgetattr on the pseudo-terminal's slave)
 * through one long-lived perl (perl-base's POSIX module, on every Debian system) that
 * answers each question in microseconds; `stty -g` is the fallback.
 */
import { type ChildProcessByStdio, execFile, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/** c_lflag bits (asm-generic/termbits.h). */
export const ECHO = 0o10;
export const ICANON = 0o2;

export function inputVisible(lflag: number | null): boolean {
  if (lflag === null || lflag < 0) return false;
  return (lflag & ECHO) !== 0 || (lflag & ICANON) === 0;
}

/** c_lflag from `stty -g` (iflag:oflag:cflag:lflag:... in hex); null if it is not that. */
export function lflagFromSttyG(text: string): number | null {
  const fields = text.trim().split(':');
  if (fields.length < 4 || !/^[0-9a-f]+$/i.test(fields[3] ?? '')) return null;
  return parseInt(fields[3]!, 16);
}

export type EchoProbe = () => Promise<boolean>;
export interface TermiosReader {
  readonly lflag: () => Promise<number | null>;
  readonly close: () => void;
}

const PERL = `
use POSIX;
sysopen(my $fh, $ARGV[0], O_RDONLY | O_NOCTTY | O_NONBLOCK) or exit 3;
my $t = POSIX::Termios->new;
$| = 1;
while (<STDIN>) { print(($t->getattr(fileno($fh)) ? $t->getlflag : -1), "\\n"); }
`;

/** A perl child that reads the slave's termios on each request. */
export function perlTermiosReader(ttyPath: string): TermiosReader {
  let child: ChildProcessByStdio<Writable, Readable, null> | undefined;
  const waiting: ((value: number | null) => void)[] = [];
  let buffered = '';
  let broken = false;
  const fail = () => {
    broken = true;
    for (const resolve of waiting.splice(0)) resolve(null);
  };
  try {
    const started = spawn('perl', ['-e', PERL, ttyPath], { stdio: ['pipe', 'pipe', 'ignore'] });
    child = started;
    started.on('error', fail);
    started.on('exit', fail);
    started.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('ascii');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const value = Number(line);
        waiting.shift()?.(Number.isInteger(value) ? value : null);
      }
    });
    started.stdin.on('error', fail);
  } catch {
    broken = true;
  }
  return {
    lflag: () =>
      broken || !child
        ? sttyLflag(ttyPath)
        : new Promise((resolve) => {
            waiting.push(resolve);
            child?.stdin.write('\n');
          }),
    close: () => {
      child?.removeAllListeners('exit');
      child?.kill();
    },
  };
}

function sttyLflag(ttyPath: string): Promise<number | null> {
  return new Promise((resolve) => {
    execFile('stty', ['-F', ttyPath, '-g'], { timeout: 2000 }, (error, stdout) => {
      resolve(error ? null : lflagFromSttyG(stdout));
    });
  });
}
