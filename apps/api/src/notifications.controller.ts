/** GET /v1/notifications: each delivery of a release event to Slack or a webhook. Thin. */
import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ListNotifications } from '#application';
import { Scopes } from './auth.js';
import { ListNotificationsQuery } from './notification-dto.js';
import { deliveryView } from './notification-presenter.js';
import { parseOrThrow } from './validation.js';

@Controller('v1/notifications')
export class NotificationsController {
  constructor(@Inject(ListNotifications) private readonly listNotifications: ListNotifications) {}

  @Get()
  @Scopes('read')
  async list(@Query() query: unknown) {
    const q = parseOrThrow(ListNotificationsQuery, query);
    const page = await this.listNotifications.execute(q);
    return { items: page.items.map(deliveryView), total: page.total, limit: q.limit, offset: q.offset };
  }
}
