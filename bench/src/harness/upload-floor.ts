/**
 * Starts and stops upload-floor-server.js (see there) for one measurement.
 */
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';

export class UploadFloorServer {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
  ) {}

  /** `env` chooses the store: STORAGE_URL and, for s3://, the S3_* settings. */
  static async start(env: NodeJS.ProcessEnv): Promise<UploadFloorServer> {
    // BENCH_PROFILE_DIR: profiled like ingest, so the two can be compared function by function.
    const profileDir = process.env.BENCH_PROFILE_DIR;
    const child = fork(path.join(__dirname, 'upload-floor-server.js'), [], {
      env: { ...process.env, ...env },
      execArgv: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`upload floor server did not start within 30 s:\n${stderr}`));
      }, 30_000);
      child.once('message', (m: { port?: number }) => {
        clearTimeout(timer);
        if (typeof m.port === 'number') resolve(m.port);
        else reject(new Error(`upload floor server sent ${JSON.stringify(m)}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`upload floor server exited with ${code}:\n${stderr}`));
      });
    });
    return new UploadFloorServer(`http://127.0.0.1:${port}`, child);
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
