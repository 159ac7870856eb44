/** Liveness, readiness and Prometheus metrics (no auth). */
import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { Db } from '#persistence';
import { JobQueues, TidelineMetrics } from '#integrations';
import { checkReadiness } from '#runtime';
import { Public } from './auth.js';

@Controller()
@Public()
export class HealthController {
  constructor(
    @Inject(Db) private readonly db: Db,
    @Inject(JobQueues) private readonly queues: JobQueues,
    @Inject(TidelineMetrics) private readonly metrics: TidelineMetrics,
  ) {}

  @Get('healthz')
  healthz() {
    return { status: 'ok' };
  }

  /** 503 naming what is down: `checks` says "ok" or why, for postgres and redis. */
  @Get('readyz')
  async readyz(@Res({ passthrough: true }) res: ServerResponse) {
    const r = await checkReadiness(this.db, this.queues);
    res.statusCode = r.ready ? 200 : 503;
    return { status: r.ready ? 'ready' : 'not ready', checks: r.checks };
  }

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async metricsText(@Res({ passthrough: true }) res: ServerResponse): Promise<string> {
    const text = await this.metrics.text();
    res.setHeader('Content-Type', this.metrics.contentType);
    return text;
  }
}
