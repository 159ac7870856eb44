/** Plain progress for logs (stdout not a terminal): one line per change between two views of a release. Pure. */
import { humanDuration } from './duration.js';
import { troubledGates, type ReleaseView } from './release-view.js';

/** Lines describing what changed from `before` (null: the first view) to `after`. */
export function progressLines(before: ReleaseView | null, after: ReleaseView, nowMs: number): string[] {
  const lines: string[] = [];
  if (before === null || before.state !== after.state || before.stateReason !== after.stateReason) {
    lines.push(`release ${after.state}${after.stateReason ? `: ${after.stateReason}` : ''}`);
  }
  if (after.currentStage !== null && before?.currentStage !== after.currentStage && after.state !== 'succeeded') {
    const stage = after.stages?.find((s) => s.name === after.currentStage);
    lines.push(`stage ${after.currentStage}${stage ? ` (${stage.regions.map((t) => t.region).join(', ')})` : ''}`);
  }
  const previous = new Map((before?.stages ?? []).flatMap((s) => s.regions.map((t) => [t.region, t] as const)));
  for (const stage of after.stages ?? []) {
    for (const t of stage.regions) {
      const was = previous.get(t.region);
      if (was === undefined ? t.state !== 'pending' || t.blockedReason !== null : was.state !== t.state) {
        let line = `${stage.name} ${t.region}: ${t.state}`;
        if (t.state === 'baking' && t.bakeEndsAt) line += ` (bake ends in ${humanDuration(Date.parse(t.bakeEndsAt) - nowMs)})`;
        if (t.reason && ['failed', 'rolling_back', 'rolled_back', 'draining', 'drained'].includes(t.state)) line += `: ${t.reason}`;
        lines.push(line);
      }
      if ((was?.blockedReason ?? null) !== t.blockedReason && t.state === 'pending') {
        lines.push(
          t.blockedReason ? `${stage.name} ${t.region}: blocked: ${t.blockedReason}` : `${stage.name} ${t.region}: no longer blocked`,
        );
      }
      const gatesBefore = new Set(was ? troubledGates(was) : []);
      for (const gate of troubledGates(t)) if (!gatesBefore.has(gate)) lines.push(`${stage.name} ${t.region}: gate ${gate}`);
    }
  }
  return lines;
}
