/** GET /v1/notifications: each delivery of a release event to Slack or a webhook. */
import { Controller, Get, Inject, Query } from '@nestjs/common';
import { z } from 'zod';
import { ListNotifications } from '../../../libs/application/src/index.js';
import { DELIVERY_STATUSES, type DeliveryRecord } from '../../../libs/persistence/src/index.js';
import { parseOrThrow } from './validation.js';

export const ListNotificationsQuery = z.strictObject({
  releaseId: z.uuid({ message: 'must be a release id (UUID)' }).optional(),
  destination: z
    .string()
    .regex(/^(slack|webhook:[a-z0-9]([-a-z0-9]*[a-z0-9])?)$/, 'must be slack or webhook:<name>')
    .optional(),
  status: z.enum(DELIVERY_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function deliveryView(d: DeliveryRecord) {
  return {
    id: d.id,
    releaseId: d.releaseId,
    eventId: d.eventId,
    eventType: d.eventType,
    severity: d.severity,
    destination: d.destination,
    status: d.status,
    attempts: d.attempts,
    failures: d.failures,
    lastError: d.lastError,
    nextAttemptAt: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
    messageTs: d.externalId,
    sentAt: iso(d.sentAt),
    createdAt: iso(d.createdAt),
    updatedAt: iso(d.updatedAt),
  };
}

@Controller('v1/notifications')
export class NotificationsController {
  constructor(@Inject(ListNotifications) private readonly listNotifications: ListNotifications) {}

  @Get()
  async list(@Query() query: unknown) {
    const q = parseOrThrow(ListNotificationsQuery, query);
    const page = await this.listNotifications.execute(q);
    return { items: page.items.map(deliveryView), total: page.total, limit: q.limit, offset: q.offset };
  }
}
