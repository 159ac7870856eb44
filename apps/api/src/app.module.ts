/** The API's Nest module: use cases come ready-made from the shared composition root. */
import { Module, type DynamicModule } from '@nestjs/common';
import {
  ApproveRelease,
  CancelRelease,
  CreateRelease,
  GetRegionOperation,
  GetRelease,
  ListAudit,
  ListGateEvaluations,
  ListNotifications,
  ListRegions,
  ListReleaseEvents,
  ListReleases,
  PauseRelease,
  PlanDryRun,
  PromoteRelease,
  RequestRegionOperation,
  ResumeRelease,
  RetryRegion,
  RollbackRelease,
} from '#application';
import { JobQueues, TidelineMetrics } from '#integrations';
import { Db } from '#persistence';
import type { Container } from '#runtime';
import { HealthController } from './health.controller.js';
import { NotificationsController } from './notifications.controller.js';
import { ReleaseActionsController } from './release-actions.controller.js';
import { ReleasesController } from './releases.controller.js';
import { RegionsController } from './regions.controller.js';
import { AuditController } from './audit.controller.js';
import { DocsController } from './docs.controller.js';
import { LearningController } from './learning.controller.js';
import { GetDrill, GetTimeToSmoke, ListDrills, ProposePlan, RequestDrill } from '#application';
import { PlansController } from './plans.controller.js';
import { EventFeed } from './event-feed.js';
import { StreamController } from './stream.controller.js';
import { WhoamiController } from './whoami.controller.js';

@Module({})
export class AppModule {
  static forContainer(c: Container): DynamicModule {
    return {
      module: AppModule,
      controllers: [
        ReleasesController,
        ReleaseActionsController,
        RegionsController,
        AuditController,
        HealthController,
        DocsController,
        NotificationsController,
        LearningController,
        PlansController,
        WhoamiController,
        StreamController,
      ],
      providers: [
        { provide: CreateRelease, useValue: c.createRelease },
        { provide: GetRelease, useValue: c.getRelease },
        { provide: ListReleases, useValue: c.listReleases },
        { provide: ListReleaseEvents, useValue: c.listEvents },
        { provide: ListGateEvaluations, useValue: c.listGates },
        { provide: PauseRelease, useValue: c.pauseRelease },
        { provide: ResumeRelease, useValue: c.resumeRelease },
        { provide: ListNotifications, useValue: c.notifications.list },
        { provide: ApproveRelease, useValue: c.approveRelease },
        { provide: PromoteRelease, useValue: c.promoteRelease },
        { provide: RollbackRelease, useValue: c.rollbackRelease },
        { provide: CancelRelease, useValue: c.cancelRelease },
        { provide: RetryRegion, useValue: c.retryRegion },
        { provide: ListRegions, useValue: c.listRegions },
        { provide: RequestRegionOperation, useValue: c.requestRegionOperation },
        { provide: GetRegionOperation, useValue: c.getRegionOperation },
        { provide: ListAudit, useValue: c.listAudit },
        { provide: GetTimeToSmoke, useValue: c.learning?.timeToSmoke },
        { provide: ProposePlan, useValue: c.learning?.proposePlan },
        { provide: RequestDrill, useValue: c.learning?.requestDrill },
        { provide: GetDrill, useValue: c.learning?.getDrill },
        { provide: ListDrills, useValue: c.learning?.listDrills },
        { provide: PlanDryRun, useValue: c.planDryRun },
        { provide: Db, useValue: c.db },
        { provide: JobQueues, useValue: c.queues },
        { provide: TidelineMetrics, useValue: c.telemetry },
        { provide: EventFeed, useFactory: () => new EventFeed(c.db, c.log) },
      ],
    };
  }
}
