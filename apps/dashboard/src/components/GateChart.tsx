/** One gate in one region over time (uPlot): each evaluation a point coloured by verdict, the threshold line, the baseline and its allowed band. */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { VERDICTS, type GateSeries } from '../logic/chart-series.js';
import { verdictColor } from '../logic/states.js';

const points = (label: string, color: string): uPlot.Series => ({ label, stroke: color, width: 0, paths: () => null, points: { show: true, size: 8, fill: color, stroke: color } });

export function GateChart({ series, title }: { series: GateSeries; title: string }) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    if (!el.current) return;
    const cols: uPlot.AlignedData = [series.x, ...VERDICTS.map((v) => series.byVerdict[v])];
    const s: uPlot.Series[] = [{}, ...VERDICTS.map((v) => points(v, verdictColor(v)))];
    const bands: uPlot.Band[] = [];
    if (series.threshold) {
      cols.push(series.threshold);
      s.push({ label: 'threshold', stroke: '#c62828', dash: [6, 4], width: 1.5, points: { show: false } });
    }
    if (series.baseline && series.allowed) {
      cols.push(series.baseline, series.allowed);
      s.push({ label: 'baseline', stroke: '#546e7a', width: 1.5, points: { show: false } });
      s.push({ label: 'allowed', stroke: '#90a4ae', dash: [4, 4], width: 1, points: { show: false } });
      bands.push({ series: [s.length - 1, s.length - 2], fill: 'rgba(46,125,50,0.12)' });
    }
    const width = Math.max(280, el.current.clientWidth || 420);
    const opts: uPlot.Options = { width, height: 170, series: s, bands, legend: { show: true }, cursor: { drag: { x: false, y: false } }, scales: { x: { time: true } } };
    plot.current?.destroy();
    plot.current = new uPlot(opts, cols, el.current);
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
  }, [series]);

  // what the chart plots, readable by tests and tools: the threshold and the failing values
  const fails = series.byVerdict.fail.filter((v): v is number => v !== null);
  return <div className="chart" ref={el} aria-label={title} data-testid="gate-chart" data-threshold={series.thresholdValue ?? ''} data-fail-values={fails.join(',')} data-points={series.x.length} />;
}
