import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  IdentityFileError,
  identityPath,
  loadIdentity,
  resolveStateDir,
  saveIdentity,
} from './identity-store';

describe('identity store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'agent-id-')), 'state');
  });
  afterEach(async () => {
    await rm(path.dirname(dir), { recursive: true, force: true });
  });

  const identity = {
    agentId: '4f2c0a52-8f54-4c5e-9d6b-2b1f9f0e8a11',
    credential: 'secret-credential',
    ingest: 'http://127.0.0.1:8081/',
    enrolledAt: '2025-01-01T00:00:00.000Z',
  };

  it('stores the identity readable by the owner only and reads it back', async () => {
    expect(await loadIdentity(dir)).toBeNull();
    await saveIdentity(dir, identity);
    expect((await stat(identityPath(dir))).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(await loadIdentity(dir)).toEqual(identity);
  });

  it('refuses a damaged identity file', async () => {
    await saveIdentity(dir, identity);
    await writeFile(identityPath(dir), '{"agentId":"nope"}');
    await expect(loadIdentity(dir)).rejects.toThrow(IdentityFileError);
    await writeFile(identityPath(dir), 'garbage');
    await expect(loadIdentity(dir)).rejects.toThrow(/not JSON/);
  });

  it('takes the state directory from the flag, then the environment, then the default', () => {
    expect(resolveStateDir('/a', { SESSIONREC_AGENT_STATE: '/b' })).toBe('/a');
    expect(resolveStateDir(undefined, { SESSIONREC_AGENT_STATE: '/b' })).toBe('/b');
    expect(resolveStateDir(undefined, {})).toBe(path.resolve('.sessionrec-agent'));
  });
});
