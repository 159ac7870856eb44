/** Drills: practised drains and rollbacks of one region, timed against a goal (issue 12). */
import { EntitySchema } from 'typeorm';
import type { RecordedWorkload } from '#domain';

export const DRILL_KINDS = ['drain', 'rollback'] as const;
export type DrillKind = (typeof DRILL_KINDS)[number];
export const DRILL_STATES = ['running', 'undoing', 'succeeded', 'failed', 'aborted'] as const;
export type DrillState = (typeof DRILL_STATES)[number];
export const IN_FLIGHT_DRILL_STATES: readonly DrillState[] = ['running', 'undoing'];

/**
 * Where a drill stands. Drain: drain → draining → restore → restoring → done. Rollback:
 * record → rollback → rolling-back → forward → rolling-forward → done.
 */
export type DrillPhase =
  'drain' | 'draining' | 'restore' | 'restoring' | 'record' | 'rollback' | 'rolling-back' | 'forward' | 'rolling-forward' | 'done';

export interface DrillRecord {
  id: string;
  kind: DrillKind;
  region: string;
  service: string | null;
  goalMs: number;
  maxDurationMs: number;
  actor: string;
  reason: string;
  state: DrillState;
  phase: DrillPhase;
  requestedAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  /** past it, the drill is undone at once */
  deadlineAt: Date;
  drainOperationId: string | null;
  restoreOperationId: string | null;
  /** rollback: what ran when the drill began (put back by the forward step) */
  recorded: RecordedWorkload[] | null;
  /** rollback: what ran before the service's last release in the region (rolled back to) */
  target: RecordedWorkload[] | null;
  targetVersion: string | null;
  /** when the measured step began (the weight change, or the rollback / forward patch) */
  phaseStartedAt: Date | null;
  /** drain: time to 99% drained; rollback: time to roll back */
  firstMs: number | null;
  /** drain: time to restore; rollback: time to roll forward */
  secondMs: number | null;
  metGoal: boolean | null;
  /** the drill was cut short (deadline) and undone */
  undone: boolean;
  note: string | null;
  checkSeq: number;
  nextCheckAt: Date | null;
  updatedAt: Date;
}

export interface DrillEventRecord {
  id: string;
  drillId: string;
  type: string;
  actor: string;
  reason: string | null;
  data: Record<string, unknown> | null;
  createdAt: Date;
}

const ts = (name: string, nullable = true) => ({ type: 'timestamptz' as const, name, nullable });
const int = (name: string) => ({ type: 'integer' as const, name, nullable: true });

export const DrillEntity = new EntitySchema<DrillRecord>({
  name: 'Drill',
  tableName: 'drills',
  columns: {
    id: { type: 'uuid', primary: true, generated: 'uuid' },
    kind: { type: 'text' },
    region: { type: 'text' },
    service: { type: 'text', nullable: true },
    goalMs: { type: 'integer', name: 'goal_ms' },
    maxDurationMs: { type: 'integer', name: 'max_duration_ms' },
    actor: { type: 'text' },
    reason: { type: 'text' },
    state: { type: 'text' },
    phase: { type: 'text' },
    requestedAt: { type: 'timestamptz', name: 'requested_at', createDate: true },
    startedAt: ts('started_at'),
    completedAt: ts('completed_at'),
    deadlineAt: ts('deadline_at', false),
    drainOperationId: { type: 'uuid', name: 'drain_operation_id', nullable: true },
    restoreOperationId: { type: 'uuid', name: 'restore_operation_id', nullable: true },
    recorded: { type: 'jsonb', nullable: true },
    target: { type: 'jsonb', nullable: true },
    targetVersion: { type: 'text', name: 'target_version', nullable: true },
    phaseStartedAt: ts('phase_started_at'),
    firstMs: int('first_ms'),
    secondMs: int('second_ms'),
    metGoal: { type: 'boolean', name: 'met_goal', nullable: true },
    undone: { type: 'boolean', default: false },
    note: { type: 'text', nullable: true },
    checkSeq: { type: 'integer', name: 'check_seq', default: 1 },
    nextCheckAt: ts('next_check_at'),
    updatedAt: { type: 'timestamptz', name: 'updated_at', updateDate: true },
  },
  indices: [
    { name: 'ix_drills_region_kind', columns: ['region', 'kind', 'requestedAt'] },
    { name: 'ix_drills_due', columns: ['nextCheckAt'], where: 'next_check_at IS NOT NULL' },
    { name: 'uq_drills_one_in_flight', columns: ['region'], unique: true, where: `state IN ('running','undoing')` },
  ],
});

export const DrillEventEntity = new EntitySchema<DrillEventRecord>({
  name: 'DrillEvent',
  tableName: 'drill_events',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' },
    drillId: { type: 'uuid', name: 'drill_id' },
    type: { type: 'text' },
    actor: { type: 'text' },
    reason: { type: 'text', nullable: true },
    data: { type: 'jsonb', nullable: true },
    createdAt: { type: 'timestamptz', name: 'created_at', createDate: true },
  },
  indices: [{ name: 'ix_drill_events_drill', columns: ['drillId', 'id'] }],
  foreignKeys: [
    { name: 'fk_drill_events_drill', columnNames: ['drillId'], target: 'Drill', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
  ],
});
