/** Liveness (the process answers) and readiness (dependencies answer, not shutting down). */
import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { HealthRegistry, type ReadinessReport } from './health.registry';

@Controller('health')
export class HealthController {
  constructor(private readonly registry: HealthRegistry) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(): Promise<Omit<ReadinessReport, 'ready'>> {
    const { ready, ...report } = await this.registry.readiness();
    if (!ready) throw new ServiceUnavailableException(report);
    return report;
  }
}
