/** Request shapes of the releases endpoints (never entities). */
import { z } from 'zod';
import { RELEASE_STATES } from '#domain';
import { bigintId, MAX_OFFSET } from './input-guards.js';

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const CreateReleaseBody = z.strictObject({
  service: z.string().min(1).max(63).regex(NAME, 'must be a lowercase name like checkout'),
  version: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'must be a version like 1.4.2 (letters, digits, . _ + -)'),
  image: z.string().min(1).max(512),
  releaseNumber: z.int().min(1).max(2_147_483_647),
  gitSha: z
    .string()
    .regex(/^[0-9a-f]{7,40}$/, 'must be 7 to 40 lowercase hex characters')
    .optional(),
  requestedBy: z.string().min(1).max(200).optional(),
  allowOlder: z
    .boolean()
    .optional()
    .describe(
      'true: a deliberate roll back (or forward) to a release number lower than one of the service that went or will go live; recorded on the release.created event with the actor',
    ),
});
export type CreateReleaseBody = z.infer<typeof CreateReleaseBody>;

export const IdempotencyKey = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
  .optional();

export const ListReleasesQuery = z.strictObject({
  service: z.string().regex(NAME, 'must be a lowercase name like checkout').optional(),
  state: z.enum(RELEASE_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(MAX_OFFSET).default(0),
});

export const ListEventsQuery = z.strictObject({
  after: bigintId('an event id').optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});

export const ReleaseId = z.uuid({ message: 'must be a release id (UUID)' });

const reason = () => z.string().trim().min(1, 'must not be empty').max(1000, 'must be at most 1000 characters');

/** Body of an operator action: optional, with an optional reason. */
export const ActionBody = z.strictObject({ reason: reason().optional() }).optional();

/** Promote skips the rest of a bake: say why. */
export const PromoteBody = z.strictObject({ reason: reason() });

/** Retry one failed region (or, without `region`, every failed region of the current stage). */
export const RetryBody = z
  .strictObject({
    region: z.string().regex(NAME, 'must be a region name like eu-west').optional(),
    reason: reason().optional(),
  })
  .optional();

export const GatesQuery = z.strictObject({
  region: z.string().regex(NAME, 'must be a region name like eu-west').optional(),
  gate: z.string().min(1).max(63).optional(),
  after: bigintId('an evaluation id').optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
