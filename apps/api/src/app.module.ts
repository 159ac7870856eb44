/** The API's Nest module: use cases come ready-made from the shared composition root, each provided under its class. */
import { Module, type DynamicModule } from '@nestjs/common';
import { ReadCache } from './read-cache.js';
import { API_PARTS, valueProviders, type ApiContainer } from '#runtime';
import { HealthController } from './health.controller.js';
import { NotificationsController } from './notifications.controller.js';
import { ReleaseActionsController } from './release-actions.controller.js';
import { ReleasesController } from './releases.controller.js';
import { RegionsController } from './regions.controller.js';
import { AuditController } from './audit.controller.js';
import { DocsController } from './docs.controller.js';
import { LearningController } from './learning.controller.js';
import { PlansController } from './plans.controller.js';
import { EventFeed } from './event-feed.js';
import { StreamController } from './stream.controller.js';
import { WhoamiController } from './whoami.controller.js';

@Module({})
export class AppModule {
  static forContainer(c: ApiContainer): DynamicModule {
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
      // every API part under its class (libs/runtime/src/api-parts.ts), and the event feed the stream reads
      providers: [
        ...valueProviders(API_PARTS, c),
        { provide: EventFeed, useFactory: () => new EventFeed(c.db, c.log) },
        { provide: ReadCache, useValue: new ReadCache(c.settings.apiReadCacheMs) },
      ],
    };
  }
}
