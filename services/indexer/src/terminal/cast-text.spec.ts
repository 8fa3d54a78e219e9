import { castText, chunkLines, type TerminalLine } from './cast-text';

const cast = (...rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n');
const header = { version: 2, width: 80, height: 24, timestamp: 1_900_000_000 };

describe('castText', () => {
  it('keeps output lines with the time of the write that began each', () => {
    const text = castText(
      cast(
        header,
        [0.001, 'o', '\u001b[01;32mops@db\u001b[00m:~$ '],
        [0.5, 'o', 'l'],
        [0.6, 'o', 's'],
        [0.9, 'o', '\r\n'],
        [1.2, 'o', 'backup.tar  payroll.csv\r\n'],
        [1.25, 'i', 'secret typed input\r'],
        [1.3, 'o', 'ops@db:~$ '],
      ),
    );
    expect(text.lines).toEqual([
      { ms: 1, text: 'ops@db:~$ ls' },
      { ms: 1200, text: 'backup.tar  payroll.csv' },
      { ms: 1300, text: 'ops@db:~$' },
    ]);
    expect(text.skippedLines).toBe(0);
    expect(text.truncated).toBe(false);
    expect(text.chars).toBe('ops@db:~$ ls'.length + 'backup.tar  payroll.csv'.length + 9);
  });

  it('rewinds a line on a lone CR, erases on backspace and drops other controls', () => {
    const text = castText(
      cast(
        [1, 'o', 'copying  10%\r'],
        [2, 'o', 'copying 100%\r\n'],
        [3, 'o', 'rsyncc\b \b -av\u0007 x\u0000y\ttab\r\n'],
        [4, 'o', '\u001b]0;ops@db: ~/reports\u0007\u001b[2J\u001b[Hclear screen\n'],
      ),
    );
    expect(text.lines).toEqual([
      { ms: 2000, text: 'copying 100%' },
      { ms: 3000, text: 'rsync -av xy tab' },
      { ms: 4000, text: 'clear screen' },
    ]);
  });

  it('counts rows that are not asciicast events and indexes the rest', () => {
    const text = castText(
      [
        cast([1, 'o', 'first\r\n']),
        'not json',
        '[1, 2, 3]',
        cast(['x', 'o', 'bad time']),
        cast([2, 'o', 'second\r\n']),
      ].join('\n'),
    );
    expect(text.lines.map((l) => l.text)).toEqual(['first', 'second']);
    expect(text.skippedLines).toBe(3);
  });

  it('cuts long lines and stops at the segment budget', () => {
    const long = castText(cast([1, 'o', 'x'.repeat(25)]), { maxChars: 1000, maxLineChars: 10 });
    expect(long.lines.map((l) => l.text)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
    const bounded = castText(cast([1, 'o', 'aaaa\nbbbb\ncccc\n'], [2, 'o', 'dddd\n']), {
      maxChars: 9,
      maxLineChars: 100,
    });
    expect(bounded.lines.map((l) => l.text)).toEqual(['aaaa', 'bbbb']);
    expect(bounded.truncated).toBe(true);
    expect(bounded.chars).toBe(8);
  });

  it('finds nothing in an empty or header-only segment', () => {
    expect(castText('').lines).toEqual([]);
    expect(castText(cast(header)).lines).toEqual([]);
  });
});

describe('chunkLines', () => {
  const line = (ms: number, text: string): TerminalLine => ({ ms, text });

  it('groups consecutive lines by count and size, keeping each line time', () => {
    const lines = [line(1, 'aaa'), line(2, 'bbb'), line(3, 'ccc'), line(4, 'dddddddd')];
    expect(chunkLines(lines, { maxLines: 2, maxChars: 100 })).toEqual([
      { chunk: 0, startMs: 1, lineMs: [1, 2], text: 'aaa\nbbb' },
      { chunk: 1, startMs: 3, lineMs: [3, 4], text: 'ccc\ndddddddd' },
    ]);
    expect(chunkLines(lines, { maxLines: 10, maxChars: 9 }).map((c) => c.text)).toEqual([
      'aaa\nbbb',
      'ccc',
      'dddddddd',
    ]);
    expect(chunkLines([])).toEqual([]);
  });
});
