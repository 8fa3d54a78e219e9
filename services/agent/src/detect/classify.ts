/**
 * What a process started in a session means, from its command line alone: a shell or
 * interpreter, privilege use (sudo, su), a file transfer (scp, sftp, rsync, with
 * direction and file names where the arguments tell), or just a command.
 */
import type { EventType } from '@sessionrec/contracts';

export type Attributes = Record<string, string | number | boolean | null>;
export interface Detected {
  readonly type: EventType;
  readonly attributes: Attributes;
}

export const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'fish', 'ksh', 'mksh', 'tcsh', 'csh']);
const INTERPRETER =
  /^(python[0-9.]*|perl[0-9.]*|ruby[0-9.]*|irb|node|nodejs|php[0-9.]*|lua[0-9.]*|pwsh|tclsh|R|ghci|psql|mysql|sqlite3)$/;
export const PRIVILEGE_TOOLS = new Set(['sudo', 'su', 'pkexec', 'doas', 'sudoedit']);
export const TRANSFER_TOOLS = new Set(['scp', 'sftp', 'sftp-server', 'rsync']);

/** The program's name: the last path part of argv[0], a login shell's leading '-' dropped. */
export function programName(argv: readonly string[]): string {
  const first = argv[0] ?? '';
  return (first.split('/').pop() ?? first).replace(/^-/, '');
}

export function isTransfer(argv: readonly string[]): boolean {
  return TRANSFER_TOOLS.has(programName(argv));
}

/** Joins argv for display, quoting arguments with blanks; bounded to 8 KiB. */
export function commandLine(argv: readonly string[]): string {
  return argv
    .map((arg) => (/[\s"'\\]/.test(arg) || arg === '' ? JSON.stringify(arg) : arg))
    .join(' ')
    .slice(0, 8192);
}

const REMOTE = /^(?:[^@/\s]+@)?(?:\[[^\]]+\]|[^:/\s]+):/;

interface Transfer {
  direction: 'in' | 'out' | 'unknown';
  files: string[];
  remote?: string;
}

/**
 * Direction as seen from this host: 'in' brings files onto it, 'out' takes them away.
 * Server sides (what sshd runs for a client's scp/rsync) say so in their flags.
 */
export function describeTransfer(argv: readonly string[]): Transfer {
  const name = programName(argv);
  const args = argv.slice(1);
  if (name === 'sftp-server' || name === 'sftp') return { direction: 'unknown', files: [] };
  const operands = args.filter((arg) => !arg.startsWith('-'));
  if (name === 'scp') {
    if (args.includes('-t')) return { direction: 'in', files: operands.slice(-1) };
    if (args.includes('-f')) return { direction: 'out', files: operands };
  }
  if (name === 'rsync' && args.includes('--server')) {
    // `rsync --server --sender` sends from this host; without --sender it receives.
    const paths = operands.filter((arg) => arg !== '.');
    return { direction: args.includes('--sender') ? 'out' : 'in', files: paths };
  }
  // Client side: the remote operand tells which way the files go.
  const last = operands[operands.length - 1];
  const sources = operands.slice(0, -1);
  if (last !== undefined && REMOTE.test(last) && sources.length > 0) {
    return { direction: 'out', files: sources, remote: last.slice(0, last.lastIndexOf(':')) };
  }
  const remoteSource = sources.find((arg) => REMOTE.test(arg));
  if (remoteSource !== undefined) {
    return {
      direction: 'in',
      files: sources.map((s) => s.slice(s.indexOf(':') + 1)),
      remote: remoteSource.slice(0, remoteSource.indexOf(':')),
    };
  }
  return { direction: 'unknown', files: operands };
}

/**
 * The events one new process means: always command.start, plus shell.start,
 * privilege.use or file.transfer when its program is one of those.
 */
export function classify(
  argv: readonly string[],
  info: { pid: number; ppid: number; cwd?: string },
): Detected[] {
  const name = programName(argv);
  const line = commandLine(argv);
  const events: Detected[] = [
    {
      type: 'command.start',
      attributes: {
        commandLine: line,
        program: name,
        pid: info.pid,
        ppid: info.ppid,
        ...(info.cwd ? { cwd: info.cwd } : {}),
      },
    },
  ];
  if (SHELLS.has(name) || INTERPRETER.test(name)) {
    events.push({
      type: 'shell.start',
      attributes: { shell: name, commandLine: line, pid: info.pid },
    });
  }
  if (PRIVILEGE_TOOLS.has(name)) {
    const userFlag = argv.indexOf('-u');
    const target =
      name === 'su'
        ? (argv.slice(1).find((arg) => !arg.startsWith('-')) ?? 'root')
        : userFlag > 0
          ? (argv[userFlag + 1] ?? 'root')
          : 'root';
    events.push({
      type: 'privilege.use',
      attributes: { tool: name, commandLine: line, targetUser: target, pid: info.pid },
    });
  }
  if (TRANSFER_TOOLS.has(name)) {
    const transfer = describeTransfer(argv);
    events.push({
      type: 'file.transfer',
      attributes: {
        tool: name === 'sftp-server' ? 'sftp' : name,
        direction: transfer.direction,
        file: transfer.files.join(' ').slice(0, 4096) || null,
        ...(transfer.remote ? { remote: transfer.remote } : {}),
        commandLine: line,
        pid: info.pid,
      },
    });
  }
  return events;
}

/**
 * Words of a command line as a POSIX shell would split a simple command (quotes and
 * backslashes; no expansion): enough to classify $SSH_ORIGINAL_COMMAND before it runs.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i]!;
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
    } else if (quote === '"') {
      if (char === '"') quote = undefined;
      else if (char === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!))
        word += line[++i];
      else word += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (char === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}
