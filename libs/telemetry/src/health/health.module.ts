/** Global, so any module can inject HealthRegistry and register its readiness check. */
import { type DynamicModule, Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { HEALTH_OPTIONS, HealthRegistry, type HealthOptions } from './health.registry';

@Module({})
export class HealthModule {
  static forRoot(options: Partial<HealthOptions> = {}): DynamicModule {
    const resolved: HealthOptions = { checkTimeoutMs: options.checkTimeoutMs ?? 2000 };
    return {
      module: HealthModule,
      global: true,
      controllers: [HealthController],
      providers: [{ provide: HEALTH_OPTIONS, useValue: resolved }, HealthRegistry],
      exports: [HealthRegistry],
    };
  }
}
