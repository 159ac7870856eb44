/** Request shapes of the notifications endpoint. */
import { z } from 'zod';
import { MAX_OFFSET } from './input-guards.js';
import { DELIVERY_STATUSES } from '#persistence';

export const ListNotificationsQuery = z.strictObject({
  releaseId: z.uuid({ message: 'must be a release id (UUID)' }).optional(),
  destination: z
    .string()
    .regex(/^(slack|webhook:[a-z0-9]([-a-z0-9]*[a-z0-9])?)$/, 'must be slack or webhook:<name>')
    .optional(),
  status: z.enum(DELIVERY_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(MAX_OFFSET).default(0),
});
