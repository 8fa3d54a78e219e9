import {
  ANCESTORS,
  type ExecSeen,
  ExecTracer,
  chooseArgv,
  parseTracerLine,
  tracerProgram,
} from './exec-tracer';

// Pids above the kernel's largest pid_max (2^22): /proc never has them, so only what the
// tracer printed counts.
const WRAPPER = 5_000_001;
const SHELL = 5_000_002;

const hex = (argv: string[]) =>
  [...Buffer.from(argv.map((a) => `${a}\0`).join(''))]
    .map((b) => `\\x${b.toString(16).padStart(2, '0')}`)
    .join('');
/** What the tracer prints for one exec: its ancestry line, then its arguments line. */
const exec = (pid: number, ancestors: number[], argv: string[]) => {
  const ids = [...ancestors, ...Array<number>(ANCESTORS).fill(0)].slice(0, ANCESTORS);
  const bytes = Buffer.byteLength(argv.map((a) => `${a}\0`).join(''));
  return `P ${pid} ${ids.join(' ')}\nE ${pid} ${bytes} ${hex(argv)}\n`;
};

describe('the tracer program and its output', () => {
  it('probes the exec tracepoint and prints ancestry and arguments', () => {
    const program = tracerProgram();
    expect(program.match(/tracepoint:sched:sched_process_exec/g)).toHaveLength(2);
    expect(program).toContain('printf("READY\\n")');
    expect(program).toContain('buf(uptr(curtask->mm->arg_start), $len)');
  });

  it('parses ancestry and argument lines and skips everything else', () => {
    expect(parseTracerLine('READY')).toBeNull();
    expect(parseTracerLine('Attaching 3 probes...')).toBeNull();
    expect(parseTracerLine(exec(7, [3, 1], ['x']).split('\n')[0]!)).toEqual({
      kind: 'ancestry',
      pid: 7,
      chain: [7, 3, 1],
    });
    expect(parseTracerLine(exec(9, [7], ['/bin/true', 'a b', '']).split('\n')[1]!)).toEqual({
      kind: 'exec',
      pid: 9,
      argv: ['/bin/true', 'a b', ''],
      cut: false,
    });
    expect(parseTracerLine('E 9 4 \\x41\\x42\\x43\\x44')).toMatchObject({ argv: ['ABCD'] });
    expect(parseTracerLine('E 9 3 not-hex')).toBeNull();
    expect(parseTracerLine('E -1 3 \\x41')).toBeNull();
    expect(parseTracerLine('P 7 3')).toBeNull();
  });

  it('takes the whole argv from /proc only when it is the program the tracer saw', () => {
    const traced = { pid: 9, chain: [9], argv: ['sh', '-c', 'sleep 1; true'], cut: false };
    expect(chooseArgv(['sh', '-c', 'sleep 1; true'], traced)).toEqual(traced.argv);
    // The pid exec'd something else meanwhile, or is gone: the tracer's words.
    expect(chooseArgv(['vim', 'x'], traced)).toEqual(traced.argv);
    expect(chooseArgv(null, traced)).toEqual(traced.argv);
    // A long line the tracer cut: /proc has the rest.
    const cut = { ...traced, argv: ['echo', 'aaa'], cut: true };
    expect(chooseArgv(['echo', 'aaaaaaaa'], cut)).toEqual(['echo', 'aaaaaaaa']);
  });
});

describe('execs mapped to sessions by ancestry', () => {
  const tracer = () => new ExecTracer({ log: () => undefined });

  it('reports every exec below the root, also of processes gone at once, and nothing else', () => {
    const t = tracer();
    const seen: ExecSeen[] = [];
    t.watch(SHELL, true, (e) => seen.push(e));
    t.feed(exec(SHELL, [WRAPPER, 1], ['-bash']));
    for (const i of [1, 2, 3]) t.feed(exec(5_000_010 + i, [SHELL, WRAPPER], ['/bin/true', `${i}`]));
    // A grandchild through a subshell that never exec'd; the wrapper's own helper; someone else.
    t.feed(exec(5_000_021, [5_000_020, SHELL, WRAPPER], ['sleep', '1']));
    t.feed(exec(5_000_030, [WRAPPER, 1], ['perl', '-e', 'x']));
    t.feed(exec(5_000_040, [4_999_999, 1], ['top']));
    expect(seen.map((e) => [e.argv.join(' '), e.ppid])).toEqual([
      ['-bash', WRAPPER],
      ['/bin/true 1', SHELL],
      ['/bin/true 2', SHELL],
      ['/bin/true 3', SHELL],
      ['sleep 1', 5_000_020],
    ]);
  });

  it('replays the execs of the last seconds for a root named after it started', () => {
    const t = tracer();
    t.feed(exec(SHELL, [WRAPPER], ['bash', '-l']));
    t.feed(exec(5_000_050, [SHELL, WRAPPER], ['id', '-un']));
    const seen: string[] = [];
    t.watch(SHELL, false, (e) => seen.push(e.argv.join(' ')));
    t.feed(exec(5_000_051, [SHELL, WRAPPER], ['ls']));
    // A command session does not report its root (the wrapper reported the command's words).
    expect(seen).toEqual(['id -un', 'ls']);
  });

  it('stops reporting once unwatched, and knows a parent from the lines after it is gone', () => {
    const t = tracer();
    const seen: string[] = [];
    const unwatch = t.watch(SHELL, false, (e) => seen.push(e.argv.join(' ')));
    t.feed(exec(5_000_060, [SHELL, WRAPPER], ['first']));
    // An exec line whose ancestry line was lost: the parents learnt so far stand in.
    t.feed(`E 5000060 6 ${hex(['again'])}\n`);
    unwatch();
    t.feed(exec(5_000_061, [SHELL, WRAPPER], ['late']));
    expect(seen).toEqual(['first', 'again']);
    expect(t.parentOf(SHELL)).toBe(WRAPPER);
  });

  it('is not active when the tracer cannot run or tracefs is missing', async () => {
    const lines: string[] = [];
    const missing = new ExecTracer({ log: (l) => lines.push(l), command: ['/nonexistent/x'] });
    expect(await missing.start()).toBe(false);
    expect(missing.active).toBe(false);
    const quits = new ExecTracer({ log: (l) => lines.push(l), command: ['sh', '-c', 'exit 1'] });
    expect(await quits.start()).toBe(false);
    const noTracefs = new ExecTracer({ log: (l) => lines.push(l), tracefs: '/nonexistent' });
    expect(await noTracefs.start()).toBe(false);
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => l.startsWith('exec tracing off'))).toBe(true);
    expect(lines[2]).toMatch(/tracefs/);
  });

  it('runs a stand-in tracer that says READY and reports what it prints', async () => {
    const line = exec(5_000_070, [SHELL, WRAPPER], ['echo', 'hi']).replace(/\n/g, '\\n');
    const t = new ExecTracer({
      log: () => undefined,
      command: ['sh', '-c', `printf 'READY\\n${line.replace(/\\x/g, '\\\\x')}'; exec sleep 30`],
    });
    const seen: string[] = [];
    t.watch(SHELL, false, (e) => seen.push(e.argv.join(' ')));
    expect(await t.start()).toBe(true);
    expect(t.active).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await t.stop();
    expect(t.active).toBe(false);
    expect(seen).toEqual(['echo hi']);
  });
});
