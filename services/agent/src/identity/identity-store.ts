/**
 * Where an enrolled agent keeps who it is: agentId and credential in identity.json
 * inside the state directory, readable by the agent's user only (0600; directory 0700).
 */
import { chmod, mkdir, open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { agentProtocol } from '@sessionrec/contracts';

export const DEFAULT_STATE_DIR = '.sessionrec-agent';

export const storedIdentity = agentProtocol.enrolResponse.extend({
  ingest: z.string().url(),
  enrolledAt: z.string(),
});
export type StoredIdentity = z.infer<typeof storedIdentity>;

export class IdentityFileError extends Error {
  override readonly name = 'IdentityFileError';
}

/** --state-dir, else $SESSIONREC_AGENT_STATE, else ./.sessionrec-agent. */
export function resolveStateDir(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return path.resolve(flag ?? env.SESSIONREC_AGENT_STATE ?? DEFAULT_STATE_DIR);
}

export function identityPath(stateDir: string): string {
  return path.join(stateDir, 'identity.json');
}

export async function saveIdentity(stateDir: string, identity: StoredIdentity): Promise<string> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const file = identityPath(stateDir);
  const temp = `${file}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(identity, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await chmod(temp, 0o600); // the umask cannot widen it, but an existing file keeps its mode
  await rename(temp, file);
  return file;
}

/** The stored identity, or null when the agent has not enrolled yet. */
export async function loadIdentity(stateDir: string): Promise<StoredIdentity | null> {
  const file = identityPath(stateDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new IdentityFileError(`${file} is not JSON; delete it and enrol again`);
  }
  const parsed = storedIdentity.safeParse(raw);
  if (!parsed.success) throw new IdentityFileError(`${file} is not a valid identity; enrol again`);
  return parsed.data;
}
