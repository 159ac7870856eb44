/** Region drains and restores requested by operators outside any release. */
import { EntitySchema } from 'typeorm';

export const REGION_OPERATION_KINDS = ['drain', 'restore'] as const;
export type RegionOperationKind = (typeof REGION_OPERATION_KINDS)[number];

export const REGION_OPERATION_STATES = [
  'pending',
  'draining',
  'drained',
  'restoring',
  'restored',
  'unverified',
  'failed',
  'superseded',
] as const;
export type RegionOperationState = (typeof REGION_OPERATION_STATES)[number];
/** States of an operation whose job still has work to do (at most one per region). */
export const IN_FLIGHT_OPERATION_STATES: readonly RegionOperationState[] = ['pending', 'draining', 'restoring'];

export interface RegionOperationRecord {
  id: string;
  region: string;
  kind: RegionOperationKind;
  state: RegionOperationState;
  actor: string;
  reason: string | null;
  requestedAt: Date;
  /** when the provider was asked to move the weight */
  startedAt: Date | null;
  /** when the operation reached its final state */
  completedAt: Date | null;
  /** drain: the weight before it (put back by the next restore) */
  previousWeight: number | null;
  targetWeight: number;
  /** the region's request rate just before the drain (the reference for both kinds) */
  preDrainRate: number | null;
  lastRate: number | null;
  /** from the weight change to verification (rate below the drained fraction / back above half) */
  verifyMs: number | null;
  /** drain: from the weight change until the rate was below 1% of the pre-drain rate */
  drain99Ms: number | null;
  note: string | null;
  checkSeq: number;
  /** when the job should look again; null when the operation needs nothing more */
  nextCheckAt: Date | null;
  updatedAt: Date;
}

const ts = (name: string, nullable = true) => ({ type: 'timestamptz' as const, name, nullable });
const float = (name: string) => ({ type: 'double precision' as const, name, nullable: true });

export const RegionOperationEntity = new EntitySchema<RegionOperationRecord>({
  name: 'RegionOperation',
  tableName: 'region_operations',
  columns: {
    id: { type: 'uuid', primary: true, generated: 'uuid' },
    region: { type: 'text' },
    kind: { type: 'text' },
    state: { type: 'text' },
    actor: { type: 'text' },
    reason: { type: 'text', nullable: true },
    requestedAt: { type: 'timestamptz', name: 'requested_at', createDate: true },
    startedAt: ts('started_at'),
    completedAt: ts('completed_at'),
    previousWeight: float('previous_weight'),
    targetWeight: { type: 'double precision', name: 'target_weight' },
    preDrainRate: float('pre_drain_rate'),
    lastRate: float('last_rate'),
    verifyMs: { type: 'integer', name: 'verify_ms', nullable: true },
    drain99Ms: { type: 'integer', name: 'drain99_ms', nullable: true },
    note: { type: 'text', nullable: true },
    checkSeq: { type: 'integer', name: 'check_seq', default: 0 },
    nextCheckAt: ts('next_check_at'),
    updatedAt: { type: 'timestamptz', name: 'updated_at', updateDate: true },
  },
  indices: [
    { name: 'ix_region_operations_region', columns: ['region', 'requestedAt'] },
    { name: 'ix_region_operations_requested', columns: ['requestedAt'] },
    { name: 'uq_region_operations_one_in_flight', columns: ['region'], unique: true, where: `state IN ('pending','draining','restoring')` },
  ],
});
