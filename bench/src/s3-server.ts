/**
 * Starts the repository's S3 test server (test/s3-server.js, s3rver on 127.0.0.1) as a
 * child process when S3_ENDPOINT is not given, and stops it afterwards.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { type BenchS3 } from './benchmark';

export interface RunningS3Server extends BenchS3 {
  stop(): Promise<void>;
}

interface Announcement {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

function isAnnouncement(v: unknown): v is Announcement {
  const o = v as Partial<Announcement> | null;
  return (
    typeof o?.endpoint === 'string' &&
    typeof o.region === 'string' &&
    typeof o.accessKeyId === 'string' &&
    typeof o.secretAccessKey === 'string'
  );
}

export function startS3Server(repoRoot: string, dir: string): Promise<RunningS3Server> {
  const script = path.join(repoRoot, 'test', 's3-server.js');
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', script, '--port', '0', '--dir', dir, '--exit-with-stdin'],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    child.stdin.destroy();
    child.stdout.destroy();
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error('S3 test server did not start within 20 s'));
    }, 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`S3 test server exited with code ${String(code)}`));
    });
    readline.createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      const parsed: unknown = JSON.parse(line);
      if (!isAnnouncement(parsed)) {
        void stop();
        reject(new Error('S3 test server printed an unexpected first line'));
        return;
      }
      resolve({
        endpoint: parsed.endpoint,
        region: parsed.region,
        credentials: { accessKeyId: parsed.accessKeyId, secretAccessKey: parsed.secretAccessKey },
        ephemeral: true,
        stop,
      });
    });
  });
}
