/**
 * COPY ... FROM STDIN in PostgreSQL's text format: the fastest way to load many rows, used
 * by the catalogue seed and as the raw baseline the indexer's write rate is compared with.
 */
import { once } from 'node:events';
import type { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

export type CopyValue = string | number | boolean | null | readonly string[];

function escapeText(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

export function copyLine(values: readonly CopyValue[]): string {
  return `${values
    .map((v) => {
      if (v === null) return '\\N';
      if (Array.isArray(v)) return escapeText(arrayLiteral(v as readonly string[]));
      return escapeText(String(v));
    })
    .join('\t')}\n`;
}

/** Streams rows into `table (columns)`; `rows` yields them lazily so memory stays flat. */
export async function copyRows(
  client: Client,
  table: string,
  columns: readonly string[],
  rows: Iterable<readonly CopyValue[]>,
  onRows?: (n: number) => void,
): Promise<number> {
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  const done = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  let n = 0;
  let chunk = '';
  for (const row of rows) {
    chunk += copyLine(row);
    n += 1;
    if (chunk.length > 256 * 1024) {
      if (!stream.write(chunk)) await once(stream, 'drain');
      chunk = '';
      onRows?.(n);
    }
  }
  stream.end(chunk);
  await done;
  return n;
}
