/** A coloured state label for a release or a region. */
import { releaseState, targetState } from '../logic/states.js';

export function StateBadge({
  state,
  kind = 'release',
  blockedReason,
}: {
  state: string;
  kind?: 'release' | 'target';
  blockedReason?: string | null;
}) {
  const s = kind === 'release' ? releaseState(state) : targetState(state, blockedReason);
  return (
    <span className={`badge tone-${s.tone}`} data-state={state}>
      {s.label}
    </span>
  );
}
