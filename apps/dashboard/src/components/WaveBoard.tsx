/** The plan as a picture: canary → wave 1 → … as columns, each region a tile coloured by its state. */
import { memo } from 'react';
import type { ReleaseDetailView, StageView, TargetView } from '#view-types';
import { bakeFraction, bakeLeft, formatDuration } from '../logic/countdown.js';
import { targetState } from '../logic/states.js';

function gateSummary(t: TargetView): string | null {
  const gates = Object.entries(t.gates);
  if (gates.length === 0) return null;
  return gates.map(([name, g]) => `${name}: ${g.failed ? 'FAILED' : (g.lastVerdict ?? '…')}`).join(' · ');
}

const Tile = memo(function Tile({
  t,
  bakeMs,
  now,
  pausedAt,
  weight,
}: {
  t: TargetView;
  bakeMs: number;
  now: number;
  pausedAt: string | null;
  weight: number | null;
}) {
  const s = targetState(t.state, t.blockedReason);
  const left = t.state === 'baking' ? bakeLeft(t.bakeEndsAt, now, pausedAt) : null;
  const gates = gateSummary(t);
  return (
    <div className={`tile tone-${s.tone}`} data-region={t.region} data-state={t.state} title={t.reason ?? undefined}>
      <div className="tile-head">
        <b>{t.region}</b>
        <span className="tile-state">{s.label}</span>
      </div>
      {left && (
        <div className="bake" data-testid="bake-countdown">
          <div className="bar">
            <i style={{ width: `${Math.round(bakeFraction(t.bakeEndsAt, bakeMs, pausedAt ? Date.parse(pausedAt) : now) * 100)}%` }} />
          </div>
          bake {left.text}
        </div>
      )}
      {weight !== null && <div className="muted">traffic weight {weight}</div>}
      {t.blockedReason && <div className="blocked">blocked: {t.blockedReason}</div>}
      {t.drain && <div className="muted">drain {t.drain.drainMs === null ? 'under way' : `took ${formatDuration(t.drain.drainMs)}`}</div>}
      {gates && <div className={`gates ${/FAILED/.test(gates) ? 'bad' : ''}`}>{gates}</div>}
      {t.state === 'failed' && t.reason && <div className="reason">{t.reason}</div>}
    </div>
  );
});

function Column({
  stage,
  current,
  now,
  pausedAt,
  weights,
}: {
  stage: StageView;
  current: boolean;
  now: number;
  pausedAt: string | null;
  weights: ReadonlyMap<string, number | null>;
}) {
  return (
    <section className={`wave ${current ? 'current' : ''}`} data-stage={stage.name}>
      <h3>
        {stage.name} <small>{stage.kind}</small>
      </h3>
      <div className="wave-meta">
        bake {formatDuration(stage.bakeMs)}
        {stage.bakeReason && (
          <span className="bake-reason" data-testid="bake-reason">
            {' '}
            ({stage.bakeReason})
          </span>
        )}{' '}
        · max {stage.maxParallel} at once · on failure {stage.onFailure}
        {stage.approval === 'required' && <span className="approval"> · approval required</span>}
      </div>
      <div className="tiles">
        {stage.regions.map((t) => (
          <Tile
            key={t.region}
            t={t}
            bakeMs={stage.bakeMs}
            now={t.state === 'baking' ? now : 0}
            pausedAt={pausedAt}
            weight={weights.get(t.region) ?? null}
          />
        ))}
      </div>
    </section>
  );
}

export function WaveBoard({
  release,
  now,
  weights,
}: {
  release: ReleaseDetailView;
  now: number;
  weights: ReadonlyMap<string, number | null>;
}) {
  return (
    <div className="waves" data-testid="waves">
      {release.stages.map((s, i) => (
        <div key={s.index} className="wave-wrap">
          {i > 0 && <span className="arrow">→</span>}
          <Column stage={s} current={s.name === release.currentStage} now={now} pausedAt={release.pausedAt} weights={weights} />
        </div>
      ))}
    </div>
  );
}
