import { classify, describeTransfer, splitCommandLine } from './classify';
import { parseStat } from './process-watcher';
import { QualitySampler, parseSshConnection, parseSsInfo } from './tcp-info';

describe('what a process means', () => {
  it('reports every process as a command, and shells, sudo and transfers as such', () => {
    expect(classify(['/bin/bash', '-l'], { pid: 10, ppid: 1 }).map((e) => e.type)).toEqual([
      'command.start',
      'shell.start',
    ]);
    expect(classify(['sudo', '-u', 'postgres', 'psql'], { pid: 11, ppid: 10 })[1]).toMatchObject({
      type: 'privilege.use',
      attributes: { tool: 'sudo', targetUser: 'postgres' },
    });
    expect(classify(['su', '-', 'alice'], { pid: 12, ppid: 10 })[1]?.attributes.targetUser).toBe(
      'alice',
    );
    expect(classify(['ls', '-la'], { pid: 13, ppid: 10 })).toHaveLength(1);
  });

  it.each([
    [['scp', '-t', '/tmp/in.txt'], 'in', '/tmp/in.txt'],
    [['scp', '-f', '/etc/passwd'], 'out', '/etc/passwd'],
    [['rsync', '--server', '-vlogDtpre.iLsfxCIvu', '.', '/srv/backup'], 'in', '/srv/backup'],
    [['rsync', '--server', '--sender', '-vlogDtpre.iLsfxCIvu', '.', 'data/'], 'out', 'data/'],
    [['scp', 'report.pdf', 'bob@files:/drop/'], 'out', 'report.pdf'],
    [['scp', 'bob@files:/drop/x.tar', '.'], 'in', '/drop/x.tar'],
  ])('%j transfers %s (%s)', (argv, direction, file) => {
    const transfer = describeTransfer(argv);
    expect(transfer.direction).toBe(direction);
    expect(transfer.files.join(' ')).toBe(file);
  });

  it('splits a forced command as a shell would, quotes and escapes included', () => {
    expect(splitCommandLine(`scp -t '/tmp/a b'`)).toEqual(['scp', '-t', '/tmp/a b']);
    expect(splitCommandLine(`echo "x \\"y\\"" z\\ w ''`)).toEqual(['echo', 'x "y"', 'z w', '']);
    expect(splitCommandLine('   ')).toEqual([]);
  });

  it('reads ppid and start time even when the command name has spaces and parentheses', () => {
    const stat =
      '4242 (we ird) name)) S 4200 4242 4200 34816 4242 4194304 100 0 0 0 1 0 0 0 20 0 1 0 987654 1000 200';
    expect(parseStat(stat)).toEqual({ ppid: 4200, startTime: 987654 });
    expect(parseStat('garbage')).toBeNull();
  });
});

describe('network quality of the SSH connection', () => {
  it('parses SSH_CONNECTION and refuses anything else', () => {
    expect(parseSshConnection('10.0.0.5 50022 10.0.0.1 22')).toEqual({
      clientIp: '10.0.0.5',
      clientPort: 50022,
      serverIp: '10.0.0.1',
      serverPort: 22,
    });
    expect(parseSshConnection('::1 4000 ::1 22')?.clientIp).toBe('::1');
    expect(parseSshConnection('10.0.0.5 99999 10.0.0.1 22')).toBeNull();
    expect(parseSshConnection('$(reboot) 1 2 3')).toBeNull();
    expect(parseSshConnection(undefined)).toBeNull();
  });

  it('reads TCP_INFO from ss and turns counters into per-interval figures', () => {
    const line = (acked: number, received: number, retrans: string) =>
      `ESTAB 0 0 10.0.0.1:22 10.0.0.5:50022\n\t cubic wscale:7,7 rto:204 rtt:12.5/3.25 mss:1448 bytes_sent:9000 bytes_acked:${acked} bytes_received:${received} ${retrans} delivery_rate 1000bps`;
    const first = parseSsInfo(line(1000, 500, ''))!;
    expect(first).toEqual({
      rttMs: 12.5,
      rttVarMs: 3.25,
      retransmits: 0,
      bytesAcked: 1000,
      bytesReceived: 500,
    });
    const sampler = new QualitySampler();
    expect(sampler.next(first, 0)).toEqual({
      rttMs: 12.5,
      jitterMs: 3.25,
      retransmits: 0,
      throughputBps: 0,
    });
    const second = parseSsInfo(line(3000, 1500, 'retrans:0/4'))!;
    // 3000 bytes in 2 s = 12000 bit/s; 4 retransmits since the last reading.
    expect(sampler.next(second, 2000)).toEqual({
      rttMs: 12.5,
      jitterMs: 3.25,
      retransmits: 4,
      throughputBps: 12_000,
    });
    expect(parseSsInfo('')).toBeNull();
  });
});
