/**
 * A private ingest for one benchmark: its own PostgreSQL schemas, NATS namespace and
 * filesystem object store, the real built service as a child process, and helpers to
 * mint enrolment tokens with the real operator CLI and enrol agents over HTTP.
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { connect } from '@nats-io/transport-node';
import {
  createTestSchemas,
  deleteNamespaceStreams,
  dropTestSchemas,
  testDatabaseUrl,
  uniqueTestName,
} from '@sessionrec/testing';
import { freePort, ServiceProcess } from './service-process';

const run = promisify(execFile);

export class IngestHarness {
  private constructor(
    readonly name: string,
    readonly storeDir: string,
    readonly ingest: ServiceProcess,
    private readonly repoRoot: string,
    private readonly natsUrl: string,
  ) {}

  static async start(options: {
    repoRoot: string;
    natsUrl: string;
    tmpDir: string;
    env?: NodeJS.ProcessEnv;
  }): Promise<IngestHarness> {
    const name = uniqueTestName('bench_ingest');
    await createTestSchemas(name);
    const storeDir = path.join(options.tmpDir, `${name}-objects`);
    await mkdir(storeDir, { recursive: true });
    const port = await freePort();
    const ingest = await ServiceProcess.start(options.repoRoot, 'ingest', port, {
      NATS_URL: options.natsUrl,
      NATS_NAMESPACE: name,
      DATABASE_URL: testDatabaseUrl(),
      DATABASE_SCHEMA: `${name}_ingest`,
      STORAGE_URL: `file://${storeDir}`,
      INGEST_PORT: String(port),
      ...options.env,
    });
    return new IngestHarness(name, storeDir, ingest, options.repoRoot, options.natsUrl);
  }

  get url(): string {
    return this.ingest.url;
  }

  /** A one-time enrolment token from `sessionrec enrol-token create`. */
  async enrolToken(): Promise<string> {
    const cli = path.join(this.repoRoot, 'libs', 'cli', 'bin', 'sessionrec.js');
    const { stdout } = await run(
      process.execPath,
      [cli, 'enrol-token', 'create', '--expires-in', '1h'],
      {
        env: {
          ...process.env,
          DATABASE_URL: testDatabaseUrl(),
          DATABASE_SCHEMA: `${this.name}_ingest`,
        },
      },
    );
    const token = stdout.split('\n')[0]?.trim() ?? '';
    if (!token.startsWith('sre_'))
      throw new Error(`enrol-token create printed no token: ${stdout}`);
    return token;
  }

  /** Enrols an agent over the protocol and returns its bearer credential. */
  async enrolAgent(hostname: string): Promise<string> {
    const res = await fetch(`${this.url}/agent/v1/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token: await this.enrolToken(),
        hostname,
        os: 'linux',
        agentVersion: 'bench',
      }),
    });
    if (res.status !== 201 && res.status !== 200) {
      throw new Error(`enrol answered ${res.status}: ${await res.text()}`);
    }
    return ((await res.json()) as { credential: string }).credential;
  }

  async stop(): Promise<void> {
    await this.ingest.stop();
    const nc = await connect({ servers: this.natsUrl });
    try {
      await deleteNamespaceStreams(nc, this.name);
    } finally {
      await nc.close();
    }
    await dropTestSchemas(this.name);
  }
}
