/**
 * Starts the repository's S3 test server (test/s3-server.js, s3rver on 127.0.0.1) as a
 * child process when S3_ENDPOINT is not given, and stops it afterwards. The start-up
 * logic lives in test/s3-server.js, shared with the Jest global setup.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { type BenchS3 } from './benchmark';

export interface RunningS3Server extends BenchS3 {
  stop(): Promise<void>;
}

interface StartedTestServer {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
}

type StartS3TestServer = (options: { dir?: string; port?: number }) => Promise<StartedTestServer>;

export async function startS3Server(repoRoot: string, dir: string): Promise<RunningS3Server> {
  const script = path.join(repoRoot, 'test', 's3-server.js');
  const { startS3TestServer } = createRequire(__filename)(script) as {
    startS3TestServer: StartS3TestServer;
  };
  const server = await startS3TestServer({ dir, port: 0 });
  return {
    endpoint: server.endpoint,
    region: server.region,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    ephemeral: true,
    stop: () => server.stop(),
  };
}
