import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, parseConfig } from './config';
import { checkCastSegment } from './daemon-session';
import { peerPidFromSs } from './peer';
import { hashSecret, secretMatches } from './session-state';
import { LineReader, decode, wrapperMessage } from './wire';

describe('the daemon', () => {
  it('accepts the shipped example configuration and names the key of a bad one', async () => {
    const file = path.resolve(__dirname, '../../../../deploy/systemd/agent.yaml');
    const config = parseConfig(await readFile(file, 'utf8'), file);
    expect(config.spool).toEqual({ maxMb: 1024, whenFull: 'stop-recording' });
    expect(() => parseConfig('ingest: ftp://x', 'f')).toThrow(ConfigError);
    expect(() => parseConfig('ingest: http://x\nspool: {whenFull: panic}', 'f')).toThrow(
      /spool\.whenFull/,
    );
  });

  it("finds the peer's process through its socket inode in ss -xp", () => {
    const ss = [
      'u_str ESTAB 0 0 * 113868 * 113869 users:(("node",pid=2288,fd=20))',
      'u_str ESTAB 0 0 /run/sessionrec-agent/agent.sock 113869 * 113868 users:(("sessionrec",pid=7,fd=21))',
    ].join('\n');
    expect(peerPidFromSs(ss, 113869)).toBe(2288);
    expect(peerPidFromSs(ss, 999)).toBeNull();
  });

  it('refuses oversized lines and malformed messages from wrappers', () => {
    const lines: string[] = [];
    const errors: string[] = [];
    const reader = new LineReader(
      (line) => lines.push(line),
      (error) => errors.push(error),
      16,
    );
    reader.push(Buffer.from('{"a":1}\n{"b"'));
    reader.push(Buffer.from(':2}\n'));
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
    reader.push(Buffer.from('x'.repeat(40)));
    expect(errors).toHaveLength(1);
    expect(decode(wrapperMessage, '{"t":"end","offsetMs":-1,"reason":"x"}').ok).toBe(false);
    expect(decode(wrapperMessage, 'not json')).toEqual({ ok: false, error: 'not JSON' });
    expect(
      decode(
        wrapperMessage,
        JSON.stringify({ t: 'events', events: [{ type: 'rm -rf', offsetMs: 0, attributes: {} }] }),
      ).ok,
    ).toBe(false);
  });

  it('only spools asciicast from wrappers', () => {
    const header = JSON.stringify({ version: 2, width: 80, height: 24, timestamp: 0, env: {} });
    expect(() => checkCastSegment(Buffer.from(`${header}\n[0.1,"o","hi"]\n`), true)).not.toThrow();
    expect(() => checkCastSegment(Buffer.from('[0.1,"o","hi"]\n'), false)).not.toThrow();
    expect(() => checkCastSegment(Buffer.from('<html>'), false)).toThrow();
    expect(() => checkCastSegment(Buffer.from('[0.1,"o","hi"]\n'), true)).toThrow();
  });

  it('checks a resume secret against its hash only', () => {
    const hash = hashSecret('s'.repeat(43));
    expect(secretMatches('s'.repeat(43), hash)).toBe(true);
    expect(secretMatches('t'.repeat(43), hash)).toBe(false);
  });
});
