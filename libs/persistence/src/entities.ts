/** Table mappings (EntitySchema: no decorators, so the rows stay plain typed objects). */
import { EntitySchema } from 'typeorm';
import { GateEvaluationEntity } from './gate-entities.js';
import { NOTIFICATION_ENTITIES } from './notification-entities.js';
import { RegionOperationEntity } from './region-operation-entities.js';
import { DrillEntity, DrillEventEntity } from './drill-entities.js';
import type { GateStatus, PlanSnapshot, RecordedWorkload, ReleaseState, TargetState, Workload } from '#domain';

export interface ReleaseRecord {
  id: string;
  service: string;
  version: string;
  image: string;
  releaseNumber: number;
  gitSha: string | null;
  requestedBy: string | null;
  idempotencyKey: string | null;
  state: ReleaseState;
  stateReason: string | null;
  plan: PlanSnapshot;
  stageIndex: number;
  tickSeq: number;
  nextTickAt: Date | null;
  rowVersion: number;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
  /** When the release was last paused (bake windows are extended by the paused time on resume). */
  pausedAt: Date | null;
  /** The last stage an operator approved (stages needing approval wait until then); null = none. */
  approvedStageIndex: number | null;
}

/** A drain of a region's traffic during a release (the `drain` failure policy). */
export interface DrainRecord {
  startedAtMs: number;
  /** The region's weight before the drain, put back after the rollback. */
  previousWeight: number | null;
  /** Request rate just before the drain (null when there is no rateQuery or it failed). */
  preDrainRate: number | null;
  lastRate: number | null;
  drainedAtMs: number | null;
  /** when the weight was set to 0 (the drain time counts from here) */
  weightSetAtMs?: number | null;
  /** when the region's weight was put back after its rollback */
  restoredAtMs?: number | null;
  /** Why the drain ended without reaching the drained fraction (timeout, provider error…). */
  note: string | null;
}

export interface TargetRecord {
  id: string;
  releaseId: string;
  stageIndex: number;
  region: string;
  state: TargetState;
  reason: string | null;
  workloads: Workload[];
  previous: RecordedWorkload[] | null;
  deployStartedAt: Date | null;
  patchedAt: Date | null;
  rolloutCompletedAt: Date | null;
  bakeEndsAt: Date | null;
  verifiedAt: Date | null;
  failedAt: Date | null;
  rollbackStartedAt: Date | null;
  rollbackPatchedAt: Date | null;
  rolledBackAt: Date | null;
  /** Streaks and schedule of each gate for this region, by gate name. */
  gateStatus: Record<string, GateStatus> | null;
  /** Why a pending region may not be touched yet (firing alert, deployment window). */
  blockedReason: string | null;
  drain: DrainRecord | null;
  updatedAt: Date;
}

export interface EventRecord {
  id: string;
  releaseId: string;
  type: string;
  region: string | null;
  fromState: string | null;
  toState: string | null;
  actor: string;
  reason: string | null;
  /** JSON details of the event */
  data: Record<string, unknown> | null;
  createdAt: Date;
}

const ts = (name: string, nullable = true) => ({ type: 'timestamptz' as const, name, nullable });

export const ReleaseEntity = new EntitySchema<ReleaseRecord>({
  name: 'Release',
  tableName: 'releases',
  columns: {
    id: { type: 'uuid', primary: true, generated: 'uuid' },
    service: { type: 'text' },
    version: { type: 'text' },
    image: { type: 'text' },
    releaseNumber: { type: 'integer', name: 'release_number' },
    gitSha: { type: 'text', name: 'git_sha', nullable: true },
    requestedBy: { type: 'text', name: 'requested_by', nullable: true },
    idempotencyKey: { type: 'text', name: 'idempotency_key', nullable: true },
    state: { type: 'text' },
    stateReason: { type: 'text', name: 'state_reason', nullable: true },
    plan: { type: 'jsonb' },
    stageIndex: { type: 'integer', name: 'stage_index', default: 0 },
    tickSeq: { type: 'integer', name: 'tick_seq', default: 0 },
    nextTickAt: ts('next_tick_at'),
    rowVersion: { type: 'integer', name: 'row_version', default: 1 },
    createdAt: { type: 'timestamptz', name: 'created_at', createDate: true },
    updatedAt: { type: 'timestamptz', name: 'updated_at', updateDate: true },
    startedAt: ts('started_at'),
    endedAt: ts('ended_at'),
    pausedAt: ts('paused_at'),
    approvedStageIndex: { type: 'integer', name: 'approved_stage_index', nullable: true },
  },
  uniques: [
    { name: 'uq_releases_service_number', columns: ['service', 'releaseNumber'] },
    { name: 'uq_releases_idempotency_key', columns: ['idempotencyKey'] },
  ],
  indices: [
    { name: 'ix_releases_service_created', columns: ['service', 'createdAt'] },
    { name: 'ix_releases_created', columns: ['createdAt', 'id'] },
    { name: 'ix_releases_state', columns: ['state'] },
    {
      name: 'uq_releases_one_active_per_service',
      columns: ['service'],
      unique: true,
      where: `state IN ('running','paused','awaiting_approval','rolling_back')`,
    },
  ],
});

export const TargetEntity = new EntitySchema<TargetRecord>({
  name: 'RegionTarget',
  tableName: 'region_targets',
  columns: {
    id: { type: 'uuid', primary: true, generated: 'uuid' },
    releaseId: { type: 'uuid', name: 'release_id' },
    stageIndex: { type: 'integer', name: 'stage_index' },
    region: { type: 'text' },
    state: { type: 'text' },
    reason: { type: 'text', nullable: true },
    workloads: { type: 'jsonb' },
    previous: { type: 'jsonb', nullable: true },
    deployStartedAt: ts('deploy_started_at'),
    patchedAt: ts('patched_at'),
    rolloutCompletedAt: ts('rollout_completed_at'),
    bakeEndsAt: ts('bake_ends_at'),
    verifiedAt: ts('verified_at'),
    failedAt: ts('failed_at'),
    rollbackStartedAt: ts('rollback_started_at'),
    rollbackPatchedAt: ts('rollback_patched_at'),
    rolledBackAt: ts('rolled_back_at'),
    gateStatus: { type: 'jsonb', name: 'gate_status', nullable: true },
    blockedReason: { type: 'text', name: 'blocked_reason', nullable: true },
    drain: { type: 'jsonb', nullable: true },
    updatedAt: { type: 'timestamptz', name: 'updated_at', updateDate: true },
  },
  uniques: [{ name: 'uq_region_targets_release_region', columns: ['releaseId', 'region'] }],
  relations: {},
  foreignKeys: [
    {
      name: 'fk_region_targets_release',
      columnNames: ['releaseId'],
      target: 'Release',
      referencedColumnNames: ['id'],
      onDelete: 'CASCADE',
    },
  ],
});

export const EventEntity = new EntitySchema<EventRecord>({
  name: 'ReleaseEvent',
  tableName: 'release_events',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' },
    releaseId: { type: 'uuid', name: 'release_id' },
    type: { type: 'text' },
    region: { type: 'text', nullable: true },
    fromState: { type: 'text', name: 'from_state', nullable: true },
    toState: { type: 'text', name: 'to_state', nullable: true },
    actor: { type: 'text' },
    reason: { type: 'text', nullable: true },
    data: { type: 'jsonb', nullable: true },
    createdAt: { type: 'timestamptz', name: 'created_at', createDate: true },
  },
  indices: [{ name: 'ix_release_events_release', columns: ['releaseId', 'id'] }],
  foreignKeys: [
    {
      name: 'fk_release_events_release',
      columnNames: ['releaseId'],
      target: 'Release',
      referencedColumnNames: ['id'],
      onDelete: 'RESTRICT',
    },
  ],
});

export const ENTITIES = [
  ReleaseEntity,
  TargetEntity,
  EventEntity,
  GateEvaluationEntity,
  ...NOTIFICATION_ENTITIES,
  RegionOperationEntity,
  DrillEntity,
  DrillEventEntity,
];
