/** Stored gate evaluations: every query Tideline ran to judge a region, with its verdict. */
import { EntitySchema } from 'typeorm';
import type { StoredValue, Verdict } from '#domain';

export type EvaluationPhase = 'bake' | 'watch';

export interface GateEvaluationRecord {
  id: string;
  releaseId: string;
  targetId: string;
  region: string;
  stageIndex: number;
  gate: string;
  phase: EvaluationPhase;
  verdict: Verdict;
  reason: string;
  query: string;
  evidenceQuery: string | null;
  baselineQuery: string | null;
  values: StoredValue[];
  observed: number | string | null;
  baseline: number | string | null;
  evidence: number | string | null;
  threshold: string;
  failingSeries: Array<Record<string, string>>;
  /** what Prometheus said beside its answers */
  warnings: string[];
  infos: string[];
  durationMs: number;
  /** when the evaluation was due (on the gate's grid); null when it ran before it was due, at a bake's end */
  dueAt: Date | null;
  evaluatedAt: Date;
}

export type GateEvaluationInput = Omit<GateEvaluationRecord, 'id' | 'releaseId'>;

export const GateEvaluationEntity = new EntitySchema<GateEvaluationRecord>({
  name: 'GateEvaluation',
  tableName: 'gate_evaluations',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' },
    releaseId: { type: 'uuid', name: 'release_id' },
    targetId: { type: 'uuid', name: 'target_id' },
    region: { type: 'text' },
    stageIndex: { type: 'integer', name: 'stage_index' },
    gate: { type: 'text' },
    phase: { type: 'text' },
    verdict: { type: 'text' },
    reason: { type: 'text' },
    query: { type: 'text' },
    evidenceQuery: { type: 'text', name: 'evidence_query', nullable: true },
    baselineQuery: { type: 'text', name: 'baseline_query', nullable: true },
    values: { type: 'jsonb' },
    observed: { type: 'jsonb', nullable: true },
    baseline: { type: 'jsonb', nullable: true },
    evidence: { type: 'jsonb', nullable: true },
    threshold: { type: 'text' },
    failingSeries: { type: 'jsonb', name: 'failing_series' },
    warnings: { type: 'jsonb', default: () => "'[]'::jsonb" },
    infos: { type: 'jsonb', default: () => "'[]'::jsonb" },
    durationMs: { type: 'integer', name: 'duration_ms' },
    dueAt: { type: 'timestamptz', name: 'due_at', nullable: true },
    evaluatedAt: { type: 'timestamptz', name: 'evaluated_at' },
  },
  indices: [{ name: 'ix_gate_evaluations_release', columns: ['releaseId', 'id'] }],
  foreignKeys: [
    {
      name: 'fk_gate_evaluations_release',
      columnNames: ['releaseId'],
      target: 'Release',
      referencedColumnNames: ['id'],
      onDelete: 'RESTRICT',
    },
  ],
});
