/**
 * Network quality of the user's own SSH connection, from the kernel's TCP statistics of
 * that socket (TCP_INFO, read with `ss -tin` for the addresses in $SSH_CONNECTION):
 * round-trip time and its variation, retransmits, and throughput from the byte counters
 * between two samples.
 */
import { execFile } from 'node:child_process';

export interface SshEndpoints {
  readonly clientIp: string;
  readonly clientPort: number;
  readonly serverIp: string;
  readonly serverPort: number;
}

/** "client-ip client-port server-ip server-port", as sshd sets SSH_CONNECTION. */
export function parseSshConnection(value: string | undefined): SshEndpoints | null {
  const parts = (value ?? '').trim().split(/\s+/);
  if (parts.length !== 4) return null;
  const [clientIp, clientPort, serverIp, serverPort] = parts as [string, string, string, string];
  const ip = /^[0-9a-fA-F.:%a-z]+$/;
  if (!ip.test(clientIp) || !ip.test(serverIp)) return null;
  const cp = Number(clientPort);
  const sp = Number(serverPort);
  if (
    !Number.isInteger(cp) ||
    !Number.isInteger(sp) ||
    cp < 1 ||
    sp < 1 ||
    cp > 65535 ||
    sp > 65535
  )
    return null;
  return { clientIp, clientPort: cp, serverIp, serverPort: sp };
}

export interface TcpInfo {
  readonly rttMs: number;
  readonly rttVarMs: number;
  /** Retransmitted segments over the connection's life. */
  readonly retransmits: number;
  readonly bytesAcked: number;
  readonly bytesReceived: number;
}

/** Parses the detail line of `ss -tin` for one socket; null if it has no rtt. */
export function parseSsInfo(text: string): TcpInfo | null {
  const rtt = /\brtt:([\d.]+)\/([\d.]+)/.exec(text);
  if (!rtt) return null;
  const number = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
  // "retrans:<unacked>/<total>" appears once anything was retransmitted.
  const retrans = /\bretrans:\d+\/(\d+)/.exec(text);
  return {
    rttMs: Number(rtt[1]),
    rttVarMs: Number(rtt[2]),
    retransmits: retrans ? Number(retrans[1]) : 0,
    bytesAcked: number(/\bbytes_acked:(\d+)/),
    bytesReceived: number(/\bbytes_received:(\d+)/),
  };
}

const bracket = (ip: string) => (ip.includes(':') ? `[${ip}]` : ip);

/** The `ss` filter naming exactly one established connection (its four-tuple). */
export function ssFilter(endpoints: SshEndpoints): string[] {
  return [
    'state',
    'established',
    'src',
    `${bracket(endpoints.serverIp)}:${endpoints.serverPort}`,
    'dst',
    `${bracket(endpoints.clientIp)}:${endpoints.clientPort}`,
  ];
}

/** Reads TCP_INFO of the SSH connection through `ss`; null when it is not found. */
export function readTcpInfo(endpoints: SshEndpoints): Promise<TcpInfo | null> {
  const args = ['-tinH', ...ssFilter(endpoints)];
  return new Promise((resolve) => {
    execFile('ss', args, { timeout: 2000 }, (error, stdout) => {
      resolve(error ? null : parseSsInfo(stdout));
    });
  });
}

export interface QualitySample {
  readonly rttMs: number;
  readonly jitterMs: number;
  readonly retransmits: number;
  readonly throughputBps: number;
}

/** Turns successive TcpInfo readings into samples (retransmits and bytes per interval). */
export class QualitySampler {
  private previous: { info: TcpInfo; atMs: number } | undefined;

  next(info: TcpInfo, atMs: number): QualitySample {
    const previous = this.previous;
    this.previous = { info, atMs };
    if (!previous || atMs <= previous.atMs) {
      return { rttMs: info.rttMs, jitterMs: info.rttVarMs, retransmits: 0, throughputBps: 0 };
    }
    const bytes =
      info.bytesAcked + info.bytesReceived - previous.info.bytesAcked - previous.info.bytesReceived;
    return {
      rttMs: info.rttMs,
      jitterMs: info.rttVarMs,
      retransmits: Math.max(0, info.retransmits - previous.info.retransmits),
      throughputBps: Math.max(0, Math.round((bytes * 8 * 1000) / (atMs - previous.atMs))),
    };
  }
}
