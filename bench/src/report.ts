/** The run's output: a table on stdout and JSON files under bench/results/. */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type ResultRow } from './benchmark';

export interface BenchmarkOutcome {
  name: string;
  description: string;
  durationMs: number;
  rows: ResultRow[];
  /** Set when the benchmark failed; its rows are then empty. */
  error?: string;
}

export interface RunReport {
  startedAt: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string };
  benchmarks: BenchmarkOutcome[];
}

export function machineInfo(): RunReport['machine'] {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  return v.toFixed(2);
}

export function formatTable(report: RunReport): string {
  const header = ['benchmark', 'figure', 'value', 'unit', 'limit', 'ratio'];
  const lines: string[][] = [];
  for (const b of report.benchmarks) {
    if (b.error) lines.push([b.name, 'FAILED', '', '', '', b.error.slice(0, 80)]);
    for (const r of b.rows) {
      lines.push([
        b.name,
        r.figure,
        formatValue(r.value),
        r.unit,
        r.limit === undefined ? '' : formatValue(r.limit),
        r.ratio === undefined ? '' : r.ratio.toFixed(2),
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (i === 2 || i >= 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const m = report.machine;
  return [
    `Machine: ${m.cpus} x ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}`,
    '',
    fmt(header),
    fmt(widths.map((w) => '-'.repeat(w))),
    ...lines.map(fmt),
    '',
  ].join('\n');
}

/** Writes <timestamp>.json and latest.json; returns the timestamped path. */
export async function writeReport(dir: string, report: RunReport): Promise<string> {
  await mkdir(dir, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const file = path.join(dir, `${report.startedAt.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, json);
  await writeFile(path.join(dir, 'latest.json'), json);
  return file;
}
