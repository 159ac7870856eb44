/** The scale benchmark's results: one row per N, written to bench/results/scale-<date>[-soak].md. */
import { resultFile } from './support.js';
import { writeFileSync } from 'node:fs';

export interface ScaleRow {
  releases: number;
  watchedRegions: number;
  gates: number;
  wallS: number;
  evaluations: number;
  evaluationsPerS: number;
  promQueriesPerS: number;
  regionGatesPerQuery: number;
  cpuS: Record<string, number>;
  workerCpuMsPerEval: number;
  /** the bench database's backends */
  postgresCpuMsPerEval: number;
  /** every Postgres process on the machine */
  postgresAllCpuMsPerEval: number;
  workerCpuPct: number[];
  rssPeakMiB: Record<string, number>;
  rssSlopeMiBPerH: Record<string, number>;
  tickWaitP99UpToS: number;
  ticks: number;
  gateLateP50Ms: number;
  gateLateP99Ms: number;
  gateLateMaxMs: number;
  evalsPerRound: number;
  pgSessionsOpened: number | null;
  loadavg: string;
  releaseStates: Record<string, number>;
  logProblems: Record<string, Record<string, number>>;
  rssSeries: Record<string, Array<[number, number]>> | undefined;
  /** per worker: V8 heap used at the window's start and end, MiB */
  heapUsedMiB: Record<string, [number, number]>;
  heapSlopeMiBPerH: Record<string, number>;
  heapSeries: Record<string, Array<[number, number]>> | undefined;
}

export interface ScaleReport {
  at: string;
  soak: boolean;
  /** names the run in the file name (e.g. the tree compared against) */
  label: string;
  rows: ScaleRow[];
  params: Record<string, string>;
  machine: Record<string, string | number>;
}

const f = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));
const perProc = (r: Record<string, number>, digits = 0) =>
  Object.entries(r)
    .map(([k, v]) => `${k} ${f(v, digits)}`)
    .join(', ');

export function writeScaleMarkdown(dir: string, r: ScaleReport): string {
  const file = resultFile(
    dir,
    'scale',
    r.at,
    `${r.soak ? '-soak' : ''}-${r.rows.map((x) => x.releases).join('-')}${r.label ? `-${r.label}` : ''}`,
  );
  const cols: Array<[string, (x: ScaleRow) => string]> = [
    ['active releases', (x) => String(x.releases)],
    ['watched region-gates', (x) => String(x.releases * x.watchedRegions * x.gates)],
    ['measured for', (x) => `${f(x.wallS, 0)} s`],
    ['gate evaluations/s', (x) => f(x.evaluationsPerS, 1)],
    ['Prometheus queries/s', (x) => f(x.promQueriesPerS, 2)],
    ['region-gate evaluations per query', (x) => f(x.regionGatesPerQuery, 1)],
    ['region-gate evaluations per round', (x) => f(x.evalsPerRound, 1)],
    ['worker CPU per evaluation', (x) => `${f(x.workerCpuMsPerEval, 3)} ms`],
    ['Postgres CPU per evaluation (bench database backends)', (x) => `${f(x.postgresCpuMsPerEval, 3)} ms`],
    ['Postgres CPU per evaluation (every Postgres process)', (x) => `${f(x.postgresAllCpuMsPerEval, 3)} ms`],
    ['CPU % per worker', (x) => x.workerCpuPct.map((p) => f(p, 1)).join(' / ')],
    ['CPU seconds', (x) => perProc(x.cpuS, 1)],
    ['RSS peak (MiB)', (x) => perProc(x.rssPeakMiB)],
    ['RSS slope, last 2/3 (MiB/h)', (x) => perProc(x.rssSlopeMiBPerH, 1)],
    [
      'V8 heap used, start → end (MiB)',
      (x) =>
        Object.entries(x.heapUsedMiB)
          .map(([k, [a, b]]) => `${k} ${a.toFixed(0)} → ${b.toFixed(0)}`)
          .join(', '),
    ],
    ['V8 heap used slope, last 2/3 (MiB/h)', (x) => perProc(x.heapSlopeMiBPerH, 1)],
    ['tick lateness p99 (due → taken)', (x) => `≤ ${x.tickWaitP99UpToS} s (${x.ticks} ticks)`],
    ['gate lateness p50 / p99 / max (due → query start)', (x) => `${x.gateLateP50Ms} / ${x.gateLateP99Ms} / ${x.gateLateMaxMs} ms`],
    ['Postgres sessions opened', (x) => String(x.pgSessionsOpened ?? 'n/a')],
    ['load average (1 min, mean)', (x) => x.loadavg],
    ['release states', (x) => JSON.stringify(x.releaseStates)],
  ];
  const md = [
    `# Scale${r.soak ? ' (soak)' : ''} — ${r.at}`,
    '',
    `| metric | ${r.rows.map((x) => `N = ${x.releases}`).join(' | ')} |`,
    `| --- | ${r.rows.map(() => '---').join(' | ')} |`,
    ...cols.map(([name, fn]) => `| ${name} | ${r.rows.map(fn).join(' | ')} |`),
    '',
    '## How it is measured',
    '',
    '- Each N runs on a fresh database, simulator, Prometheus, API and workers. The window starts one gate interval after every watched region is baking.',
    "- Evaluations: `tideline_gate_evaluations_total`, Prometheus queries: `tideline_prometheus_queries_total` (every query the workers sent), from the workers' `/metrics`.",
    '- CPU: /proc user+system seconds over the window; `bench` is this process (simulator). Postgres per evaluation: the backends serving the bench database (pg_stat_activity), and every Postgres process on the machine (WAL writer, checkpointer, and other users of the server too).',
    '- Tick lateness: `tideline_job_wait_seconds{job="release.tick"}` (BullMQ due → taken), the bucket bound the 99th percentile falls in.',
    "- Gate lateness: per evaluation, query start (`evaluated_at − duration_ms`) − when it was due (`due_at`, on the gate's grid of intervals), early evaluations as 0, from `gate_evaluations`.",
    '- Postgres sessions opened: `pg_stat_database.sessions` of the bench database over the window (pool churn).',
    '',
    '## Parameters',
    '',
    '| parameter | value |',
    '| --- | --- |',
    ...Object.entries(r.params).map(([k, v]) => `| ${k} | ${v} |`),
    ...Object.entries(r.machine).map(([k, v]) => `| ${k} | ${v} |`),
    '',
    '## Log warnings',
    '',
    '```',
    JSON.stringify(
      r.rows.map((x) => ({ releases: x.releases, problems: x.logProblems })),
      null,
      2,
    ),
    '```',
    ...(r.soak ? ['', '## RSS over time (s, MiB)', '', '```', JSON.stringify(r.rows.map((x) => x.rssSeries)), '```'] : []),
    ...(r.soak ? ['', '## V8 heap used over time (s, MiB)', '', '```', JSON.stringify(r.rows.map((x) => x.heapSeries)), '```'] : []),
    '',
  ];
  writeFileSync(file, md.join('\n'));
  return file;
}
