import { z } from 'zod';
import type { SchemaContext } from './schema.js';
import { fileNamed, regionRef } from './schema.js';
import { gateListSchema, toGateSpec } from './gate-schema.js';
import { duration, expected, positiveInt, strict } from './schema-kit.js';
import type { Approval, OnFailure, PlanConfig, StageConfig } from './types.js';
import { autoBakeField, bakeField, checkAutoBake, stageBake } from './auto-bake-schema.js';

export const ON_FAILURE = ['rollback', 'rollback-region', 'drain', 'pause'] as const satisfies readonly OnFailure[];
export const APPROVAL = ['none', 'required'] as const satisfies readonly Approval[];
export const DEFAULT_BAKE_MS = 600_000;

const WAVE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

function stageFields() {
  return {
    bake: bakeField().optional(),
    autoBake: autoBakeField().optional(),
    progressDeadline: duration({ positive: true }).optional(),
    approval: z.enum(APPROVAL).optional(),
    onFailure: z.enum(ON_FAILURE).optional(),
    gates: gateListSchema().optional(),
  };
}

interface StageInput {
  bake?: number | 'auto' | undefined;
  autoBake?: Parameters<typeof stageBake>[0]['autoBake'];
  progressDeadline?: number | undefined;
  approval?: Approval | undefined;
  onFailure?: OnFailure | undefined;
  gates?: Array<Parameters<typeof toGateSpec>[0]> | undefined;
}

/** `plans/<name>.yaml`: every stage field not given inherits the plan's `defaults`. */
export function planFileSchema(ctx: SchemaContext) {
  const regionList = z.array(regionRef(ctx), expected('must be a list of region names')).min(1, expected('must list at least one region'));
  return strict({
    name: fileNamed(ctx),
    defaults: strict({ ...stageFields(), maxParallel: positiveInt().optional() }).optional(),
    canary: strict({ region: regionRef(ctx), ...stageFields() }, { maxParallel: 'the canary stage deploys a single region' }),
    waves: z
      .array(
        strict({
          name: z
            .string(expected('must be a string'))
            .regex(WAVE_NAME, expected('must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit'))
            .optional(),
          regions: regionList,
          maxParallel: positiveInt().optional(),
          ...stageFields(),
        }),
        expected('must be a list of waves'),
      )
      .default([]),
  })
    .superRefine((plan, check) => {
      const inherits = plan.defaults?.bake === 'auto';
      const at = (path: PropertyKey[]) =>
        ({ addIssue: (i: z.core.$ZodRawIssue) => check.addIssue({ ...i, path: [...path, ...(i.path ?? [])] }) }) as z.core.$RefinementCtx;
      if (plan.defaults) checkAutoBake(plan.defaults, false, at(['defaults']));
      checkAutoBake(plan.canary, inherits, at(['canary']));
      plan.waves.forEach((w, i) => checkAutoBake(w, inherits, at(['waves', i])));
    })
    .transform((plan): PlanConfig => {
      const defaults: StageConfig = {
        ...stageBake(plan.defaults ?? {}, {}, DEFAULT_BAKE_MS),
        progressDeadlineMs: plan.defaults?.progressDeadline ?? ctx.engine.defaultProgressDeadlineMs,
        maxParallel: plan.defaults?.maxParallel ?? 1,
        onFailure: plan.defaults?.onFailure ?? 'rollback',
        approval: plan.defaults?.approval ?? 'none',
        gates: (plan.defaults?.gates ?? []).map(toGateSpec),
      };
      const stage = (input: StageInput, maxParallel: number): StageConfig => ({
        ...stageBake(input, plan.defaults ?? {}, DEFAULT_BAKE_MS),
        progressDeadlineMs: input.progressDeadline ?? defaults.progressDeadlineMs,
        maxParallel,
        onFailure: input.onFailure ?? defaults.onFailure,
        approval: input.approval ?? defaults.approval,
        // A stage's own gates replace the plan's default gates.
        gates: input.gates ? input.gates.map(toGateSpec) : defaults.gates,
      });
      return {
        name: ctx.fileName,
        canary: { region: plan.canary.region, ...stage(plan.canary, 1) },
        waves: plan.waves.map((wave, i) => ({
          name: wave.name ?? defaultWaveName(i),
          regions: wave.regions,
          ...stage(wave, wave.maxParallel ?? defaults.maxParallel),
        })),
      };
    });
}

export function defaultWaveName(index: number): string {
  return `wave-${index + 1}`;
}
