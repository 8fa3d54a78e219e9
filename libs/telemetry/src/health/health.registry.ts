/**
 * Readiness is the sum of named checks that other modules register (NATS, PostgreSQL,
 * object store) plus a shutdown gate, so a load balancer stops sending work before the
 * service drains.
 */
import { type BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { redactUrlCredentials } from '@sessionrec/config';

export type HealthCheck = () => Promise<void>;

export interface HealthOptions {
  /** How long each readiness check may take before it counts as failed. */
  readonly checkTimeoutMs: number;
}

export const HEALTH_OPTIONS = Symbol('HEALTH_OPTIONS');

export type CheckResult = { status: 'up' } | { status: 'down'; error: string };

export interface ReadinessReport {
  readonly ready: boolean;
  readonly status: 'ok' | 'unavailable';
  readonly reason?: string;
  readonly checks: Record<string, CheckResult>;
}

export class HealthCheckNameError extends Error {
  override readonly name = 'HealthCheckNameError';
}

const CHECK_NAME = /^[a-z][a-z0-9._-]{0,62}$/;
const MAX_ERROR_LENGTH = 200;

class CheckTimeoutError extends Error {}

function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const masked = redactUrlCredentials(message || 'failed');
  return masked.length > MAX_ERROR_LENGTH ? `${masked.slice(0, MAX_ERROR_LENGTH)}…` : masked;
}

@Injectable()
export class HealthRegistry implements BeforeApplicationShutdown {
  private readonly checks = new Map<string, HealthCheck>();
  private shuttingDown = false;

  constructor(@Inject(HEALTH_OPTIONS) private readonly options: HealthOptions) {}

  /** Adds a readiness check; names are unique, lower-case (`nats`, `postgres`, `storage`). */
  register(name: string, check: HealthCheck): void {
    if (!CHECK_NAME.test(name)) {
      throw new HealthCheckNameError(`Invalid health check name "${name}"`);
    }
    if (this.checks.has(name)) {
      throw new HealthCheckNameError(`Health check "${name}" is already registered`);
    }
    this.checks.set(name, check);
  }

  unregister(name: string): void {
    this.checks.delete(name);
  }

  /** From now on readiness answers 503; call it first when a shutdown begins. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  beforeApplicationShutdown(): void {
    this.markShuttingDown();
  }

  async readiness(): Promise<ReadinessReport> {
    if (this.shuttingDown) {
      return { ready: false, status: 'unavailable', reason: 'shutting down', checks: {} };
    }
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => [name, await this.run(check)] as const),
    );
    const checks = Object.fromEntries(entries);
    const ready = entries.every(([, result]) => result.status === 'up');
    return ready
      ? { ready, status: 'ok', checks }
      : { ready, status: 'unavailable', reason: 'a readiness check failed', checks };
  }

  private async run(check: HealthCheck): Promise<CheckResult> {
    const timeoutMs = this.options.checkTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CheckTimeoutError()), timeoutMs);
    });
    try {
      await Promise.race([Promise.resolve().then(check), timeout]);
      return { status: 'up' };
    } catch (error) {
      if (error instanceof CheckTimeoutError) {
        return { status: 'down', error: `did not answer within ${timeoutMs} ms` };
      }
      return { status: 'down', error: describeFailure(error) };
    } finally {
      clearTimeout(timer);
    }
  }
}
