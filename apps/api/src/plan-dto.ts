/** Request shape of the plan dry run. */
import { z } from 'zod';

export const DryRunBody = z.strictObject({
  service: z
    .string()
    .min(1)
    .max(63)
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a lowercase name like checkout'),
  version: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'must be a version like 1.4.2 (letters, digits, . _ + -)')
    .optional(),
  image: z.string().min(1).max(512).optional(),
});
