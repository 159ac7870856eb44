/** `bake: auto` and `autoBake: { min, max, rule }` in plans: the bake comes from the service's time-to-smoke history. */
import { z } from 'zod';
import { BAKE_RULES, type AutoBakeSettings, type BakeRule } from '#domain';
import { DURATION_HINT } from './duration.js';
import { duration, expected, strict } from './schema-kit.js';

/** Bounds when `bake: auto` gives none. */
export const DEFAULT_AUTO_BAKE = Object.freeze({ minMs: 600_000, maxMs: 14_400_000, rule: 'twice-mean' as BakeRule });

/** A stage's `bake`: a duration or `auto` (the message stays the duration's, as before `auto` existed). */
export const bakeField = () =>
  z.union([z.literal('auto'), duration()], { error: (issue) => (issue.input === undefined ? 'is required' : DURATION_HINT) });

export const autoBakeField = () =>
  strict({
    min: duration().optional(),
    max: duration({ positive: true }).optional(),
    rule: z.enum(BAKE_RULES as [BakeRule, ...BakeRule[]], expected(`must be one of ${BAKE_RULES.join(', ')}`)).optional(),
  });

type AutoBakeInput = z.output<ReturnType<typeof autoBakeField>>;
interface BakeInput {
  bake?: number | 'auto' | undefined;
  autoBake?: AutoBakeInput | undefined;
}

/** Problems of one stage (or the defaults): autoBake without bake: auto, min above max. */
export function checkAutoBake(input: BakeInput, inheritsAuto: boolean, check: z.core.$RefinementCtx): void {
  if (!input.autoBake) return;
  if (input.bake !== 'auto' && !(input.bake === undefined && inheritsAuto)) {
    check.addIssue({ code: 'custom', path: ['autoBake'], input: input.autoBake, message: 'only applies with bake: auto' });
  }
  const { min, max } = input.autoBake;
  if (min !== undefined && max !== undefined && min > max) {
    check.addIssue({ code: 'custom', path: ['autoBake', 'max'], input: max, message: 'must not be below autoBake.min' });
  }
}

/**
 * The stage's bake: a duration as is; `auto` (its own or inherited from the defaults) carries its
 * bounds (its own, else the defaults', else 10m–4h, rule twice-mean) and falls back to the
 * defaults' duration bake (else `fallbackMs`) until resolved.
 */
export function stageBake(input: BakeInput, defaults: BakeInput, fallbackMs: number): { bakeMs: number; autoBake?: AutoBakeSettings } {
  const bake = input.bake ?? defaults.bake;
  const defaultMs = typeof defaults.bake === 'number' ? defaults.bake : fallbackMs;
  if (bake !== 'auto') return { bakeMs: bake ?? defaultMs };
  const own = input.bake === 'auto' ? input.autoBake : undefined;
  const minMs = own?.min ?? defaults.autoBake?.min ?? DEFAULT_AUTO_BAKE.minMs;
  const maxMs = Math.max(minMs, own?.max ?? defaults.autoBake?.max ?? DEFAULT_AUTO_BAKE.maxMs);
  const rule = own?.rule ?? defaults.autoBake?.rule ?? DEFAULT_AUTO_BAKE.rule;
  const fallback = Math.min(maxMs, Math.max(minMs, defaultMs));
  return { bakeMs: fallback, autoBake: { minMs, maxMs, rule, fallbackMs: defaultMs } };
}
