/**
 * `GET /metrics` of the simulator, in the Prometheus text exposition format 0.0.4:
 *
 *   sim_http_requests_total{region,namespace,deployment,version,code}   counter (code "200" | "500")
 *   sim_http_request_duration_seconds_bucket{region,namespace,deployment,version,le}  histogram
 *   sim_http_request_duration_seconds_sum / _count{region,namespace,deployment,version}
 *   sim_lb_weight{region}       gauge, the current (ramped) load-balancer weight 0..100
 *   sim_region_rps{region}      gauge, the region's effective request rate
 *   sim_region_alert{region,alert}  gauge 0/1
 *
 * Counter values are expected values integrated over time, so they may be fractional.
 */
import { BUCKETS } from './latency-histogram.js';
import type { TrafficModel } from './traffic.js';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const NEEDS_ESCAPE = /[\\\n"]/;

function escapeLabel(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** `k1="v1",k2="v2"` (no braces), values escaped: a series' labels are built once per render, not once per line. */
function pairsOf(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',');
}

function labels(pairs: ReadonlyArray<readonly [string, string]>): string {
  return `{${pairsOf(pairs)}}`;
}

const LE = BUCKETS.map((le) => `,le="${String(le)}"} `);

export function formatValue(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

function header(out: string[], name: string, type: string, help: string): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
}

/** Integrates the counters up to `now` and renders every metric. */
export function renderMetrics(traffic: TrafficModel, regions: readonly string[], now: number): string {
  traffic.advance(now);
  const series = traffic.series.all();
  const out: string[] = [];

  header(out, 'sim_http_requests_total', 'counter', 'Requests served by the simulated workloads, by version and status code.');
  const bases = series.map((s) =>
    pairsOf([
      ['region', s.region],
      ['namespace', s.namespace],
      ['deployment', s.deployment],
      ['version', s.version],
    ]),
  );
  series.forEach((s, j) => {
    out.push(`sim_http_requests_total{${bases[j]},code="200"} ${formatValue(s.ok)}`);
    out.push(`sim_http_requests_total{${bases[j]},code="500"} ${formatValue(s.errors)}`);
  });

  const hist = 'sim_http_request_duration_seconds';
  header(out, hist, 'histogram', 'Latency of the requests served by the simulated workloads.');
  series.forEach((s, j) => {
    const base = bases[j]!;
    for (let i = 0; i < LE.length; i++) out.push(`${hist}_bucket{${base}${LE[i]}${formatValue(s.buckets[i] ?? 0)}`);
    out.push(`${hist}_bucket{${base},le="+Inf"} ${formatValue(s.count)}`);
    out.push(`${hist}_sum{${base}} ${formatValue(s.sum)}`);
    out.push(`${hist}_count{${base}} ${formatValue(s.count)}`);
  });

  header(out, 'sim_lb_weight', 'gauge', 'Current weight of the region in the simulated global load balancer (0..100).');
  for (const r of regions) out.push(`sim_lb_weight${labels([['region', r]])} ${formatValue(traffic.lb.weightAt(r, now))}`);

  header(out, 'sim_region_rps', 'gauge', 'Effective request rate of the region (requests per second).');
  const rates = traffic.ratesAt(now);
  for (const r of regions) out.push(`sim_region_rps${labels([['region', r]])} ${formatValue(rates.get(r) ?? 0)}`);

  header(out, 'sim_region_alert', 'gauge', 'Alerts raised on the simulator per region (1 firing, 0 not).');
  for (const a of traffic.alerts.list()) {
    out.push(
      `sim_region_alert${labels([
        ['region', a.region],
        ['alert', a.alert],
      ])} ${a.firing ? 1 : 0}`,
    );
  }
  return `${out.join('\n')}\n`;
}
