import { randomUUID } from 'node:crypto';
import type { EventRecorded } from '@sessionrec/contracts';
import { MAX_SEARCH_TEXT, textWords, toEventRow } from './event-row';

function event(attributes: EventRecorded['attributes']): EventRecorded {
  return {
    v: 1,
    eventId: randomUUID(),
    sessionId: randomUUID(),
    agentId: randomUUID(),
    type: 'app.focus',
    at: '2026-01-01T10:00:00Z',
    offsetMs: 1000,
    attributes,
  };
}

describe('toEventRow', () => {
  it('extracts application, title, command line and file path into columns', () => {
    const row = toEventRow(
      event({
        app: 'libreoffice',
        windowTitle: 'Payroll.xlsx - Calc',
        commandLine: '/usr/bin/soffice --calc',
        path: '/media/usb0/customers.csv',
        pid: 42,
      }),
    );
    expect(row).toMatchObject({
      app: 'libreoffice',
      title: 'Payroll.xlsx - Calc',
      commandLine: '/usr/bin/soffice --calc',
      filePath: '/media/usb0/customers.csv',
      recordingId: null,
    });
    expect(JSON.parse(row.details)).toMatchObject({ pid: 42 });
    expect(row.searchText).toContain('Payroll.xlsx');
    expect(row.searchText).toContain('customers.csv');
  });

  it('falls back to other attribute names and searches every string detail', () => {
    const row = toEventRow(event({ process: 'bash', command: 'sudo -i', vendor: 'SanDisk' }));
    expect(row.app).toBe('bash');
    expect(row.commandLine).toBe('sudo -i');
    expect(row.title).toBeNull();
    expect(row.searchText).toContain('SanDisk');
  });

  it('strips NUL characters and bounds the search text', () => {
    const row = toEventRow(event({ windowTitle: 'a\u0000b', note: 'x'.repeat(8000) }));
    expect(row.title).toBe('ab');
    expect(toEventRow(event({ windowTitle: 'x\uD800y' })).title).toBe('x\uFFFDy');
    expect(row.details).not.toContain('\\u0000');
    expect(row.searchText.length).toBeLessThanOrEqual(MAX_SEARCH_TEXT);
    expect(toEventRow(event({ ['k\u0000ey']: 'v' })).details).toBe('{"key":"v"}');
  });

  it('stores clean attributes exactly as they came', () => {
    const attributes = { windowTitle: 'caf\u00e9 \u{1F600} C:\\u0000dir', pid: 7, ok: true };
    const row = toEventRow(event(attributes));
    expect(row.title).toBe(attributes.windowTitle);
    expect(JSON.parse(row.details)).toEqual(attributes);
    expect(row.details).toBe(JSON.stringify(attributes));
  });
});

describe('textWords', () => {
  it('splits at any whitespace and keeps punctuation and case', () => {
    expect(textWords(' Payroll Q3.xlsx - Calc \n\t/media/usb0/a b\u00a0c ')).toEqual([
      'Payroll',
      'Q3.xlsx',
      '-',
      'Calc',
      '/media/usb0/a',
      'b',
      'c',
    ]);
    expect(textWords('  ')).toEqual([]);
  });
});
