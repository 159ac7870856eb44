/** Request shapes of the learning endpoints (issue 12): time-to-smoke, plan proposal, drills. */
import { z } from 'zod';
import { parseDuration } from '#config';
import { RegionName } from './region-dto.js';

export const ServiceName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a service name like checkout')
  .max(63, 'must be at most 63 characters');
export const DrillId = z.uuid({ message: 'must be a drill id (UUID)' });

const durationText = (hint: string) =>
  z
    .string()
    .refine((s) => {
      try {
        return parseDuration(s) > 0;
      } catch {
        return false;
      }
    }, hint)
    .transform((s) => parseDuration(s));

export const TimeToSmokeQuery = z.strictObject({
  days: z.coerce.number().int().min(1).max(3650).default(180),
});

export const ProposePlanBody = z.strictObject({
  service: ServiceName,
  regions: z.array(RegionName).min(1, 'must list at least one region').max(500).optional(),
});

export const DrillBody = z.strictObject({
  kind: z.enum(['drain', 'rollback']),
  region: RegionName,
  service: ServiceName.optional(),
  goal: durationText('must be a positive duration like 10m'),
  maxDuration: durationText('must be a positive duration like 30m').optional(),
  reason: z.string().trim().min(1, 'must not be empty').max(1000, 'must be at most 1000 characters'),
});

export const ListDrillsQuery = z.strictObject({
  region: RegionName.optional(),
  kind: z.enum(['drain', 'rollback']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
