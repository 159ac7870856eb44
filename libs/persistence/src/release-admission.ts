/**
 * Which releases may be created and started (run inside the service's transaction): a repeat
 * must carry the same payload, and an older release number must not replace a newer one.
 */
import type { EntityManager } from 'typeorm';
import { ReleaseEntity, type ReleaseRecord } from './entities.js';

/** What a create carries that must match when it repeats an existing release. */
export type PayloadField = 'service' | 'releaseNumber' | 'version' | 'image' | 'gitSha';
const PAYLOAD_FIELDS: readonly PayloadField[] = ['service', 'releaseNumber', 'version', 'image', 'gitSha'];

export interface FieldDifference {
  field: PayloadField;
  existing: string | number | null;
  requested: string | number | null;
}

/**
 * States in which a release has gone, or is going, live: an older release number must not be
 * created behind one of them (it would replace the newer version) unless asked deliberately.
 */
export const LIVE_OR_COMING_STATES = ['queued', 'running', 'paused', 'awaiting_approval', 'succeeded'] as const;

/** Fields of the request that differ from the release it repeats (`requestedBy` does not count). */
export function payloadDifferences(existing: ReleaseRecord, requested: Pick<ReleaseRecord, PayloadField>): FieldDifference[] {
  return PAYLOAD_FIELDS.filter((f) => (existing[f] ?? null) !== (requested[f] ?? null)).map((field) => ({
    field,
    existing: existing[field] ?? null,
    requested: requested[field] ?? null,
  }));
}

/** The newest release of the service with a higher number that went, or will go, live. */
export function newerRelease(
  m: EntityManager,
  service: string,
  releaseNumber: number,
  states: readonly string[] = LIVE_OR_COMING_STATES,
): Promise<ReleaseRecord | null> {
  return m
    .getRepository(ReleaseEntity)
    .createQueryBuilder('r')
    .where('r.service = :service AND r.release_number > :releaseNumber AND r.state IN (:...states)', { service, releaseNumber, states })
    .orderBy('r.release_number', 'DESC')
    .limit(1)
    .getOne();
}

/** Whether the release was created as a deliberate roll back/forward (recorded on its release.created event). */
export async function createdAsOlder(m: EntityManager, releaseId: string): Promise<boolean> {
  const rows: unknown[] = await m.query(
    `SELECT 1 FROM release_events WHERE release_id = $1 AND type = 'release.created' AND data->>'allowOlder' = 'true' LIMIT 1`,
    [releaseId],
  );
  return rows.length > 0;
}

/** A unique violation of the release's idempotency key or (service, release_number): a racing create won. */
export function isDuplicateRelease(err: unknown): boolean {
  const driver =
    (err as { driverError?: { code?: string; constraint?: string } }).driverError ?? (err as { code?: string; constraint?: string });
  return (
    driver?.code === '23505' && (driver.constraint === 'uq_releases_idempotency_key' || driver.constraint === 'uq_releases_service_number')
  );
}
