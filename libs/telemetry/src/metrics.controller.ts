/**
 * GET /metrics in Prometheus text format, served on the service's own HTTP port from the
 * exporter that startTelemetry created; works the same on Fastify and Express.
 */
import { Controller, Get, Header, NotFoundException } from '@nestjs/common';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { activeTelemetry } from './sdk';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

@Controller()
export class MetricsController {
  /** Without the otel_scope_* labels: a service's metric names are unique already. */
  private readonly serializer = new PrometheusSerializer('', false, undefined, false, true);

  @Get('metrics')
  @Header('Content-Type', PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  async metrics(): Promise<string> {
    const exporter = activeTelemetry()?.prometheus;
    if (!exporter) throw new NotFoundException('Metrics are disabled (METRICS_ENABLED=false)');
    const { resourceMetrics } = await exporter.collect();
    return this.serializer.serialize(resourceMetrics);
  }
}
