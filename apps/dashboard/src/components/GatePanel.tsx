/** Every gate of every region: the chart and everything that explains its verdict (query, failing series, streak, worst case). */
import { useMemo } from 'react';
import type { EvaluationView, GatesView, RegionGateView } from '#view-types';
import { formatValue, gateSeries, labelsText, streakText } from '../logic/chart-series.js';
import { GateChart } from './GateChart.js';

function GateCard({ gate, evaluations }: { gate: RegionGateView; evaluations: EvaluationView[] }) {
  const series = useMemo(() => gateSeries(gate, evaluations), [gate, evaluations]);
  const last = evaluations[evaluations.length - 1];
  const lastFailing = [...evaluations].reverse().find((e) => e.verdict === 'fail');
  const shown = lastFailing ?? last;
  const failed = gate.status?.failed ?? false;
  return (
    <article className={`gate ${failed ? 'failed' : ''}`} data-gate={gate.gate} data-region={gate.region}>
      <h4>
        {gate.region} · {gate.gate}{' '}
        <span className={`verdict v-${gate.status?.lastVerdict ?? 'none'}`}>{gate.status?.lastVerdict ?? 'not evaluated'}</span>
      </h4>
      <div className="gate-facts">
        <span>
          condition <b data-testid="gate-threshold">{gate.condition}</b>
        </span>
        <span data-testid="gate-streak">{streakText(gate.status, gate.failureLimit)}</span>
        <span>
          every {gate.interval} over {gate.window}
        </span>
        <span>worst case breach → action {gate.worstCaseBreachToAction}</span>
      </div>
      {series.x.length > 0 ? (
        <GateChart series={series} title={`${gate.region} ${gate.gate}`} />
      ) : (
        <p className="muted">No evaluation stored yet.</p>
      )}
      {series.lastFail && (
        <p className="fail-line" data-testid="gate-failure">
          failed at {new Date(series.lastFail.at).toLocaleTimeString()}: observed <b>{formatValue(series.lastFail.observed)}</b> against{' '}
          <b>{series.lastFail.threshold}</b> — {series.lastFail.reason}
        </p>
      )}
      {shown && shown.failingSeries.length > 0 && (
        <p className="series">
          failing series:{' '}
          {shown.failingSeries.map((l) => (
            <code key={labelsText(l)}>{labelsText(l)}</code>
          ))}
        </p>
      )}
      <details open={failed}>
        <summary>PromQL (as resolved)</summary>
        <pre>{shown?.query ?? gate.query}</pre>
        {shown?.baselineQuery && <pre>baseline: {shown.baselineQuery}</pre>}
        {shown?.evidenceQuery && <pre>evidence: {shown.evidenceQuery}</pre>}
      </details>
    </article>
  );
}

export function GatePanel({ gates }: { gates: GatesView | null }) {
  const byKey = useMemo(() => {
    const m = new Map<string, EvaluationView[]>();
    for (const e of gates?.evaluations ?? []) {
      const k = `${e.region}/${e.gate}`;
      const list = m.get(k) ?? [];
      list.push(e);
      m.set(k, list);
    }
    return m;
  }, [gates]);
  if (!gates) return <p className="muted">Loading gates…</p>;
  if (gates.gates.length === 0) return <p className="muted">This release has no gates.</p>;
  const ordered = [...gates.gates].sort((a, b) => Number(b.status?.failed ?? false) - Number(a.status?.failed ?? false));
  return (
    <div className="gate-grid" data-testid="gates">
      {ordered.map((g) => (
        <GateCard key={`${g.region}/${g.gate}`} gate={g} evaluations={byKey.get(`${g.region}/${g.gate}`) ?? []} />
      ))}
    </div>
  );
}
