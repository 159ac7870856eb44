/** Which operator actions a release's state offers, and whether the token may take them (pure). */
import type { ReleaseDetailView } from '#view-types';

export const ACTIONS = ['pause', 'resume', 'approve', 'promote', 'rollback', 'cancel', 'retry'] as const;
export type Action = (typeof ACTIONS)[number];
export const OPERATE_SCOPE = 'releases:operate';

export interface Offer {
  action: Action;
  /** the reason is required by the API (promote) */
  reasonRequired: boolean;
  /** why the button is disabled (a missing scope), or null */
  disabled: string | null;
  /** retry: the failed region */
  region?: string;
}

export const mayOperate = (scopes: readonly string[]) => scopes.includes('admin') || scopes.includes(OPERATE_SCOPE);

/** The actions that make sense now (the API's 409 still decides). */
export function offeredActions(
  r: Pick<ReleaseDetailView, 'state' | 'stages' | 'currentStage'>,
  scopes: readonly string[],
  nowMs = Date.now(),
): Offer[] {
  const targets = r.stages.flatMap((s) => s.regions);
  const touched = targets.some((t) => t.state !== 'pending' && t.state !== 'skipped');
  const failed = targets.filter((t) => t.state === 'failed');
  const baking = targets.some((t) => t.state === 'baking' && t.bakeEndsAt !== null && Date.parse(t.bakeEndsAt) > nowMs);
  const list: Array<Omit<Offer, 'disabled'>> = [];
  const add = (action: Action, extra: Partial<Offer> = {}) => list.push({ action, reasonRequired: action === 'promote', ...extra });
  switch (r.state) {
    case 'running':
      add('pause');
      if (baking) add('promote');
      add('rollback');
      if (!touched) add('cancel');
      break;
    case 'awaiting_approval':
      add('approve');
      add('pause');
      add('rollback');
      if (!touched) add('cancel');
      break;
    case 'paused':
      add('resume');
      for (const t of failed) add('retry', { region: t.region });
      add('rollback');
      if (!touched) add('cancel');
      break;
    case 'queued':
      add('cancel');
      break;
    default:
      break;
  }
  const missing = mayOperate(scopes) ? null : `needs scope ${OPERATE_SCOPE}`;
  return list.map((o) => ({ ...o, disabled: missing }));
}
