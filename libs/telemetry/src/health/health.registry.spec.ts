import { HealthCheckNameError, HealthRegistry } from './health.registry';

describe('HealthRegistry', () => {
  const registry = (): HealthRegistry => new HealthRegistry({ checkTimeoutMs: 50 });

  it('is ready with no checks', async () => {
    expect(await registry().readiness()).toEqual({ ready: true, status: 'ok', checks: {} });
  });

  it('reports each failing check, including synchronous throws', async () => {
    const health = registry();
    health.register('nats', () => Promise.resolve());
    health.register('postgres', () => {
      throw new Error('password authentication failed for postgres://app:pw@db/x');
    });
    expect(await health.readiness()).toEqual({
      ready: false,
      status: 'unavailable',
      reason: 'a readiness check failed',
      checks: {
        nats: { status: 'up' },
        postgres: {
          status: 'down',
          error: 'password authentication failed for postgres://app:***@db/x',
        },
      },
    });
  });

  it('rejects bad and duplicate names', () => {
    const health = registry();
    health.register('storage', () => Promise.resolve());
    expect(() => health.register('storage', () => Promise.resolve())).toThrow(HealthCheckNameError);
    expect(() => health.register('Bad Name', () => Promise.resolve())).toThrow(
      HealthCheckNameError,
    );
  });

  it('closes the gate on application shutdown', async () => {
    const health = registry();
    health.beforeApplicationShutdown();
    expect(health.isShuttingDown).toBe(true);
    expect(await health.readiness()).toMatchObject({ ready: false, reason: 'shutting down' });
  });
});
