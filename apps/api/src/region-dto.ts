/** Request shapes of the regions endpoints. */
import { z } from 'zod';

export const RegionName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a region name like eu-west')
  .max(63, 'must be at most 63 characters');

export const OperationId = z.uuid({ message: 'must be an operation id (UUID)' });

/** Body of a drain or restore: optional, with an optional reason. */
export const RegionActionBody = z
  .strictObject({
    reason: z.string().trim().min(1, 'must not be empty').max(1000, 'must be at most 1000 characters').optional(),
  })
  .optional();
