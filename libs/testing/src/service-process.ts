/**
 * A service of the platform run as its own process from its build (`services/<name>/
 * dist/main.js`), the way `npm start` and the deployments run it: spawned with the suite's
 * environment, waited on until `GET /health/ready` answers 200, stopped with SIGTERM.
 * Its output is kept so a failure can show it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { waitFor } from './nats';

export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Resolves when the process has exited. */
  readonly exited: Promise<unknown>;
  /** stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then waits for the exit (a service drains and exits 0). */
  stop(): Promise<void>;
}

export async function startServiceProcess(
  main: string,
  env: Record<string, string>,
  readyUrl: string,
  timeoutMs = 30_000,
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const service: ServiceProcess = {
    child,
    exited,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`${main} exited:\n${out}`);
        const res = await fetch(readyUrl).catch(() => null);
        return res?.status === 200;
      },
      timeoutMs,
      `${main} ready`,
    );
  } catch (err) {
    await service.stop();
    throw err;
  }
  return service;
}
