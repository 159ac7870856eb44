/** One gate in one region over time (uPlot): each evaluation a point coloured by verdict, the threshold line, the baseline and its allowed band. */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { VERDICTS, type GateSeries } from '../logic/chart-series.js';
import { verdictColor } from '../logic/states.js';

const THRESHOLD = '#c62828';
const points = (label: string, color: string): uPlot.Series => ({
  label,
  stroke: color,
  width: 0,
  paths: () => null,
  points: { show: true, size: 8, fill: color, stroke: color },
});

/** The threshold as a dashed line across the whole plot (also with a single evaluation). */
function thresholdHook(value: number) {
  return (u: uPlot) => {
    const y = u.valToPos(value, 'y', true);
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = THRESHOLD;
    ctx.lineWidth = 1.5 * devicePixelRatio;
    ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
    ctx.beginPath();
    ctx.moveTo(u.bbox.left, y);
    ctx.lineTo(u.bbox.left + u.bbox.width, y);
    ctx.stroke();
    ctx.restore();
  };
}

export function GateChart({ series, title }: { series: GateSeries; title: string }) {
  const el = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!el.current) return;
    const cols: uPlot.AlignedData = [series.x, ...VERDICTS.map((v) => series.byVerdict[v])];
    const s: uPlot.Series[] = [{}, ...VERDICTS.map((v) => points(v, verdictColor(v)))];
    const bands: uPlot.Band[] = [];
    if (series.baseline && series.allowed) {
      cols.push(series.baseline, series.allowed);
      s.push({ label: 'baseline', stroke: '#546e7a', width: 1.5, points: { show: true, size: 4 } });
      s.push({ label: 'allowed', stroke: '#90a4ae', dash: [4, 4], width: 1, points: { show: false } });
      bands.push({ series: [s.length - 1, s.length - 2], fill: 'rgba(46,125,50,0.12)' });
    }
    const th = series.thresholdValue;
    const values = cols.slice(1).flatMap((c) => (c as Array<number | null>).filter((v): v is number => v !== null));
    const opts: uPlot.Options = {
      width: Math.max(280, el.current.clientWidth || 420),
      height: 150,
      series: s,
      bands,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        // at least a minute wide, so one evaluation is a point in time, not a span of years
        x: { time: true, range: (_u, min, max) => (max - min < 60 ? [(min + max) / 2 - 30, (min + max) / 2 + 30] : [min, max]) },
        y: {
          range: () => {
            const all = th === null ? values : [...values, th];
            const lo = Math.min(0, ...all);
            const hi = Math.max(...all, lo + 1e-9);
            return [lo, hi + (hi - lo) * 0.15];
          },
        },
      },
      hooks: th === null ? {} : { draw: [thresholdHook(th)] },
    };
    const plot = new uPlot(opts, cols, el.current);
    return () => plot.destroy();
  }, [series]);

  // what the chart plots, readable by tests and tools: the threshold and the failing values
  const fails = series.byVerdict.fail.filter((v): v is number => v !== null);
  return (
    <div className="chart-wrap">
      <div
        className="chart"
        ref={el}
        aria-label={title}
        data-testid="gate-chart"
        data-threshold={series.thresholdValue ?? ''}
        data-fail-values={fails.join(',')}
        data-points={series.x.length}
      />
      <div className="chart-legend">
        {VERDICTS.map((v) => (
          <span key={v}>
            <i style={{ background: verdictColor(v) }} /> {v}
          </span>
        ))}
        {series.thresholdValue !== null && (
          <span>
            <i className="dash" style={{ borderColor: THRESHOLD }} /> threshold {series.thresholdValue}
          </span>
        )}
        {series.baseline && (
          <span>
            <i style={{ background: '#546e7a' }} /> baseline, <i className="band" /> allowed band
          </span>
        )}
      </div>
    </div>
  );
}
