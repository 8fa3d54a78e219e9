/**
 * `sessionrec enrol-token create`: a one-time, expiring token an agent exchanges for its
 * identity. Printed once; only its SHA-256 is stored (the token is 256 random bits, so a
 * fast hash is safe: nobody can enumerate the candidates). Same format and hash as the
 * ingest service's services/ingest/src/auth/credentials.ts.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { quoteIdentifier } from '@sessionrec/database';
import { Client } from 'pg';

const UNITS_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const MAX_EXPIRY_MS = 30 * UNITS_MS.d;

export class InvalidExpiryError extends Error {
  override readonly name = 'InvalidExpiryError';
}

/** `90s`, `30m`, `24h`, `7d` (at most 30 days) to milliseconds. */
export function parseExpiresIn(value: string): number {
  const match = /^([1-9][0-9]{0,6})([smhd])$/.exec(value.trim());
  if (!match) {
    throw new InvalidExpiryError(
      `--expires-in must look like 30m, 24h or 7d, got ${JSON.stringify(value)}`,
    );
  }
  const ms = Number(match[1]) * UNITS_MS[match[2] as keyof typeof UNITS_MS];
  if (ms > MAX_EXPIRY_MS) throw new InvalidExpiryError('--expires-in must be at most 30d');
  return ms;
}

export interface CreatedEnrolToken {
  readonly id: string;
  readonly token: string;
  readonly expiresAt: Date;
}

export async function createEnrolToken(options: {
  databaseUrl: string;
  schema: string;
  expiresInMs: number;
  note?: string;
}): Promise<CreatedEnrolToken> {
  const token = `sre_${randomBytes(32).toString('base64url')}`;
  const id = randomUUID();
  const expiresAt = new Date(Date.now() + options.expiresInMs);
  const client = new Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO ${quoteIdentifier(options.schema)}.enrol_tokens (id, token_hash, note, expires_at)
       VALUES ($1, $2, $3, $4)`,
      [id, createHash('sha256').update(token).digest('hex'), options.note ?? null, expiresAt],
    );
  } finally {
    await client.end();
  }
  return { id, token, expiresAt };
}
