/** Liveness and readiness probes (no auth). */
import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { Db } from '../../../libs/persistence/src/index.js';
import { JobQueues } from '../../../libs/integrations/src/index.js';
import { QUEUES } from '../../../libs/application/src/index.js';
import { Public } from './auth.js';

@Controller()
@Public()
export class HealthController {
  constructor(
    @Inject(Db) private readonly db: Db,
    @Inject(JobQueues) private readonly queues: JobQueues,
  ) {}

  @Get('healthz')
  healthz() {
    return { status: 'ok' };
  }

  @Get('readyz')
  async readyz(@Res({ passthrough: true }) res: ServerResponse) {
    const checks: Record<string, string> = {};
    await this.db.read((m) => m.query('SELECT 1')).then(
      () => (checks.postgres = 'ok'),
      (e: Error) => (checks.postgres = e.message),
    );
    const redisCheck = Promise.race([
      this.queues.queue(QUEUES.releases).getJobCounts('waiting'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('redis did not answer within 2s')), 2_000).unref()),
    ]);
    await redisCheck.then(
      () => (checks.redis = 'ok'),
      (e: Error) => (checks.redis = e.message),
    );
    const ready = Object.values(checks).every((v) => v === 'ok');
    res.statusCode = ready ? 200 : 503;
    return { status: ready ? 'ready' : 'not ready', checks };
  }
}
