/**
 * What the daemon must remember of a live terminal session to pick it up again after
 * its own restart: who it is, the recording in progress and where its hash chain stands,
 * and the hash of the secret the wrapper proves itself with when it reconnects.
 * One small JSON file per session in <stateDir>/sessions (root only).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { eventTriggers, recordingReason } from '@sessionrec/contracts';
import { z } from 'zod';

export const sessionState = z.strictObject({
  sessionId: z.uuid(),
  uid: z.number().int().nonnegative(),
  user: z.string(),
  groups: z.array(z.string()),
  startedAt: z.string(),
  clientAddress: z.string().optional(),
  resumeHash: z.string().regex(/^[0-9a-f]{64}$/),
  inputCapture: z.boolean(),
  recording: z
    .strictObject({
      id: z.uuid(),
      reason: recordingReason,
      nextSeq: z.number().int().nonnegative(),
      prevSha256: z.string().optional(),
      /**
       * A record-on-event recording starts later than the wrapper's cast did: its lines
       * are moved this much earlier, and its first segment gets this header.
       */
      castOffsetMs: z.number().int().nonnegative().optional(),
      castHeader: z.string().max(4096).optional(),
    })
    .nullable(),
  policy: z.strictObject({ ruleId: z.string(), policyVersion: z.number().int() }),
  /** The session's shell (or command) whose descendants' execs the daemon reports. */
  rootPid: z.number().int().positive().optional(),
  /** A desktop session's X display (":10"): where the daemon finds its remote-display client. */
  display: z.string().max(64).optional(),
  /** Armed for record-on-event by these triggers: re-armed (empty buffer) on resume. */
  triggers: eventTriggers.optional(),
});
export type SessionState = z.infer<typeof sessionState>;

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

export function secretMatches(secret: string, hash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(hash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export class SessionStateStore {
  constructor(private readonly dir: string) {}

  private file(sessionId: string): string {
    return path.join(this.dir, `${sessionId}.json`);
  }

  async save(state: SessionState): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = this.file(state.sessionId);
    const handle = await open(`${file}.tmp`, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify(state));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(`${file}.tmp`, file);
  }

  async load(sessionId: string): Promise<SessionState | null> {
    if (!z.uuid().safeParse(sessionId).success) return null;
    const text = await readFile(this.file(sessionId), 'utf8').catch(() => null);
    if (text === null) return null;
    try {
      const parsed = sessionState.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  async remove(sessionId: string): Promise<void> {
    await rm(this.file(sessionId), { force: true });
  }
}
