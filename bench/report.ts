/** The benchmark's output: a human summary (of the median round, and every round's ratios), one JSON line, and a markdown file under bench/results/. */
import { resultFile } from './support.js';
import { writeFileSync } from 'node:fs';
import type { EngineResult } from './engine-run.js';
import type { FloorResult } from './floor.js';
import type { HonestFloorResult } from './floor-k8s.js';
import { sqlLines, type SqlPerStep } from './sql-count.js';
import type { RssReport } from './support.js';

/** Which of the honest floor and the engine ran first in a round (the bare floor always runs before both). */
export type RoundOrder = 'honest floor, engine' | 'engine, honest floor';

/** One round's headline figures. */
export interface RoundFigures {
  round: number;
  order: RoundOrder;
  /** engine region-steps/s ÷ honest floor steps/s */
  honestRatio: number;
  /** engine region-steps/s ÷ floor steps/s */
  ratio: number;
  engineStepsPerSec: number;
  honestFloorStepsPerSec: number;
  floorStepsPerSec: number;
  /** CPU ms of the engine's workers per region-step */
  workerCpuMsPerStep: number;
  /** CPU ms of the honest floor's processes per step */
  honestFloorCpuMsPerStep: number;
  /**
   * honest floor ÷ engine, in CPU ms of every process measured (workers or floor processes, API,
   * bench, Postgres, Redis) per step: what the throughput ratio would be on a machine whose cores
   * the two runs had to themselves (less sensitive to other tenants than wall time)
   */
  cpuCostRatio: number;
}

export interface BenchReport {
  bench: 'release-throughput';
  at: string;
  /** the round everything but `rounds` is from: the one whose honestRatio is the median (lower middle for an even count) */
  round: number;
  order: RoundOrder;
  machine: { nproc: number; node: string; platform: string; cpu: string; postgres: string; redis: string };
  params: Record<string, string | number>;
  engine: EngineResult;
  floor: FloorResult;
  /** engine region-steps/s ÷ floor steps/s */
  ratio: number;
  /** GET + PATCH + GET and 2 single-row commits per step, in worker processes like the engine's */
  honestFloor: HonestFloorResult;
  /** engine region-steps/s ÷ honest floor steps/s */
  honestRatio: number;
  /** SQL statements of the workers per region-step, and of the API per create, during the engine run */
  sql: { perRegionStep: SqlPerStep; perCreate: SqlPerStep };
  rss: RssReport;
  /** CPU seconds per process during each run (bench = this process: simulator, poller, floor worker) */
  cpuSeconds: { engine: Record<string, number>; floor: Record<string, number>; honestFloor: Record<string, number> };
  /** warn/error log lines of the API and workers, by message */
  logProblems: Record<string, Record<string, number>>;
  simulatorPatches: number;
  /** every round, in the order they ran */
  rounds: RoundFigures[];
}

/** What one round measures: a BenchReport without the other rounds. */
export type RoundReport = Omit<BenchReport, 'rounds'>;

const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

function cpuLine(label: string, cpu: Record<string, number>, wallMs: number): string {
  const total = Object.values(cpu).reduce((a, b) => a + b, 0);
  const parts = Object.entries(cpu).map(([n, v]) => `${n} ${f(v)}`);
  return `cpu s (${label}): ${parts.join(', ')}; total ${f(total)} ≈ ${f(total / (wallMs / 1000), 2)} cores busy`;
}

const sumWhere = (cpu: Record<string, number>, prefix: string) =>
  Object.entries(cpu)
    .filter(([n]) => n.startsWith(prefix))
    .reduce((a, [, v]) => a + v, 0);

/** CPU ms per region-step: the engine's workers, the honest floor's processes. */
function cpuMsPerStep(r: RoundReport): { engine: number; honestFloor: number } {
  return {
    engine: (sumWhere(r.cpuSeconds.engine, 'worker') * 1000) / r.engine.regionSteps,
    honestFloor: (sumWhere(r.cpuSeconds.honestFloor, 'floor-') * 1000) / r.honestFloor.steps,
  };
}

export function roundFigures(r: RoundReport): RoundFigures {
  const cpu = cpuMsPerStep(r);
  return {
    round: r.round,
    order: r.order,
    honestRatio: r.honestRatio,
    ratio: r.ratio,
    engineStepsPerSec: r.engine.regionStepsPerSec,
    honestFloorStepsPerSec: r.honestFloor.stepsPerSec,
    floorStepsPerSec: r.floor.stepsPerSec,
    workerCpuMsPerStep: cpu.engine,
    honestFloorCpuMsPerStep: cpu.honestFloor,
    cpuCostRatio: totalMsPerStep(r.cpuSeconds.honestFloor, r.honestFloor.steps) / totalMsPerStep(r.cpuSeconds.engine, r.engine.regionSteps),
  };
}

const totalMsPerStep = (cpu: Record<string, number>, steps: number) => (Object.values(cpu).reduce((a, b) => a + b, 0) * 1000) / steps;

/** Median (lower middle for an even count), min and max. */
function spread(values: readonly number[]): { median: number; min: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  return { median: s[Math.floor((s.length - 1) / 2)]!, min: s[0]!, max: s.at(-1)! };
}

function roundsLine(r: BenchReport): string {
  const n = r.rounds.length;
  const h = spread(r.rounds.map((x) => x.honestRatio));
  const b = spread(r.rounds.map((x) => x.ratio));
  const c = spread(r.rounds.map((x) => x.cpuCostRatio));
  return (
    `ratio over ${n} round${n === 1 ? '' : 's'}: engine / honest floor median ${f(h.median, 3)} (min ${f(h.min, 3)} – max ${f(h.max, 3)}); ` +
    `engine / floor median ${f(b.median, 3)} (${f(b.min, 3)}–${f(b.max, 3)}); CPU-cost ratio (honest floor ÷ engine CPU ms per step, every process) median ${f(c.median, 3)} (${f(c.min, 3)}–${f(c.max, 3)}); ` +
    `the other lines are round ${r.round}'s (${r.order})`
  );
}

function lines(r: BenchReport): string[] {
  const e = r.engine;
  const cpu = cpuMsPerStep(r);
  const workers = Object.entries(r.rss.peakMiB).filter(([name]) => name.startsWith('worker'));
  return [
    `engine: ${e.regionSteps} region-steps (${e.releases} releases) in ${f(e.wallMs / 1000, 2)} s → ${f(e.regionStepsPerSec)} region-steps/s`,
    `        submit ${e.releases} POSTs: ${e.submitMs} ms; ticks per release mean ${f(e.ticksPerRelease.mean)} max ${e.ticksPerRelease.max}`,
    `        per release: waiting for a worker slot p50 ${f(e.releaseMs.waitP50, 0)} ms, p99 ${f(e.releaseMs.waitP99, 0)} ms; running p50 ${f(e.releaseMs.runP50, 0)} ms, p99 ${f(e.releaseMs.runP99, 0)} ms`,
    `floor:  ${r.floor.steps} steps in ${f(r.floor.wallMs / 1000, 2)} s → ${f(r.floor.stepsPerSec)} steps/s (failed jobs: ${r.floor.failedJobs})`,
    `honest floor: ${r.honestFloor.steps} steps in ${f(r.honestFloor.wallMs / 1000, 2)} s → ${f(r.honestFloor.stepsPerSec)} steps/s (failed jobs: ${r.honestFloor.failedJobs}; ${r.honestFloor.workers} processes × ${r.honestFloor.concurrency})`,
    `ratio:  engine / floor = ${f(r.ratio, 3)}; engine / honest floor = ${f(r.honestRatio, 3)}`,
    roundsLine(r),
    ...sqlLines('per region-step (workers)', r.sql.perRegionStep),
    ...sqlLines('per release create (api)', r.sql.perCreate),
    `sql per step (honest floor): ${r.honestFloor.sqlPerStep} single-row UPDATEs`,
    `wave gap (last verified → next wave's first patch), ${e.waveGap.pairs} pairs: p50 ${f(e.waveGap.p50Ms)} ms, p99 ${f(e.waveGap.p99Ms)} ms, max ${f(e.waveGap.maxMs)} ms`,
    `worker RSS peak: ${workers.map(([n, v]) => `${n} ${f(v)} MiB`).join(', ')}; total (workers + api) peak ${f(r.rss.peakTotalMiB)} MiB`,
    `        at start: ${Object.entries(r.rss.startMiB)
      .map(([n, v]) => `${n} ${f(v)} MiB`)
      .join(', ')} (${r.rss.samples} samples)`,
    cpuLine('engine run', r.cpuSeconds.engine, e.wallMs),
    cpuLine('floor run', r.cpuSeconds.floor, r.floor.wallMs),
    cpuLine('honest floor run', r.cpuSeconds.honestFloor, r.honestFloor.wallMs),
    `worker CPU ms per region-step: engine ${f(cpu.engine, 2)}, honest floor ${f(cpu.honestFloor, 2)}`,
  ];
}

export function printReport(r: BenchReport): void {
  console.log('');
  for (const l of lines(r)) console.log(l);
  const problems = Object.entries(r.logProblems).filter(([, p]) => Object.keys(p).length > 0);
  for (const [proc, p] of problems) console.log(`log warnings ${proc}: ${JSON.stringify(p)}`);
  console.log('');
  console.log(JSON.stringify(r));
}

/** Write bench/results/release-throughput-<date>[-<suffix>].md; returns its path. */
export function writeMarkdown(r: BenchReport, resultsDir: string, suffix: string): string {
  const file = resultFile(resultsDir, 'release-throughput', r.at, suffix);
  const row = (k: string, v: string | number) => `| ${k} | ${v} |`;
  const e = r.engine;
  const md = [
    `# Release throughput — ${r.at}`,
    '',
    '```',
    ...lines(r),
    '```',
    '',
    '## Results',
    '',
    '| metric | value |',
    '| --- | --- |',
    row('engine region-steps/s', f(e.regionStepsPerSec)),
    row('engine wall time (first POST → last release ended)', `${f(e.wallMs)} ms`),
    row('engine region-steps', e.regionSteps),
    row('engine submit time (all POSTs)', `${e.submitMs} ms`),
    row('engine ticks per release (mean / max)', `${f(e.ticksPerRelease.mean)} / ${e.ticksPerRelease.max}`),
    row('floor steps/s', f(r.floor.stepsPerSec)),
    row('floor wall time', `${f(r.floor.wallMs)} ms`),
    row('ratio engine / floor', f(r.ratio, 3)),
    row('honest floor steps/s', f(r.honestFloor.stepsPerSec)),
    row('honest floor wall time', `${f(r.honestFloor.wallMs)} ms`),
    row('ratio engine / honest floor', f(r.honestRatio, 3)),
    row('SQL statements per region-step (workers)', f(r.sql.perRegionStep.perUnit, 2)),
    row('transactions per region-step (workers)', f(r.sql.perRegionStep.transactionsPerUnit, 2)),
    row('SQL statements per create (api)', f(r.sql.perCreate.perUnit, 2)),
    row('wave gap p50', `${f(e.waveGap.p50Ms)} ms`),
    row('wave gap p99', `${f(e.waveGap.p99Ms)} ms`),
    row('wave gap max', `${f(e.waveGap.maxMs)} ms`),
    row('wave gap pairs', e.waveGap.pairs),
    ...Object.entries(r.rss.peakMiB).map(([n, v]) => row(`peak RSS ${n}`, `${f(v)} MiB`)),
    row('peak RSS total (workers + api)', `${f(r.rss.peakTotalMiB)} MiB`),
    row('simulator PATCH requests', r.simulatorPatches),
    '',
    '## Every round',
    '',
    '| round | order (after the floor) | engine / honest floor | engine / floor | engine region-steps/s | honest floor steps/s | floor steps/s | worker CPU ms per region-step (engine) | CPU ms per step (honest floor) | CPU-cost ratio (every process) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...r.rounds.map(
      (x) =>
        `| ${x.round}${x.round === r.round ? ' (headline)' : ''} | ${x.order} | ${f(x.honestRatio, 3)} | ${f(x.ratio, 3)} | ${f(x.engineStepsPerSec)} | ${f(x.honestFloorStepsPerSec)} | ${f(x.floorStepsPerSec)} | ${f(x.workerCpuMsPerStep, 2)} | ${f(x.honestFloorCpuMsPerStep, 2)} | ${f(x.cpuCostRatio, 3)} |`,
    ),
    '',
    '## How it is measured',
    '',
    `- rounds (BENCH_ROUNDS, here ${r.rounds.length}): each a complete, independent run — its own scratch database, Redis prefix, simulator, floor, honest floor, API and workers, all removed at the end of the round. In each round the floor runs first; odd rounds then run the honest floor and then the engine, even rounds the engine and then the honest floor (the API and workers are stopped once the engine run is measured, so nothing of the engine runs beside the honest floor). Everything but "Every round" is from the headline round: the one whose engine / honest floor ratio is the median (the lower middle for an even count); the medians of the ratio line are taken the same way.`,
    '- CPU-cost ratio: CPU ms per step of every process measured in the honest floor run ÷ the same in the engine run (workers or floor processes, API, bench, Postgres, Redis; /proc user+system). Both runs keep the 2 cores busy, so it is what the throughput ratio would be with the cores to themselves; it moves less than wall time when other tenants take CPU.',
    '- engine wall time: first POST → latest `releases.ended_at`; region-steps = region targets `verified`.',
    '- floor: in-process BullMQ Worker, one job per step (`UPDATE floor_steps SET step = step + 1`, then enqueue the next step), first enqueue → last step done.',
    '- honest floor: as many worker processes and concurrency as the engine (floor-k8s-worker.ts), one job per region-step: GET the Deployment, `UPDATE` one row (what ran), strategic-merge PATCH (image + labels), GET until the rollout is complete, `UPDATE` one row (step done), enqueue the next step; @kubernetes/client-node with one keep-alive agent per cluster. First enqueue → last step committed.',
    "- SQL statements: every `pg.Client#query` of the workers (per region-step) and of the API (per create) from the first POST to the last release ended, BEGIN/COMMIT included (bench/sql-count-preload.ts, loaded with `node --import` into the bench's processes only).",
    "- wave gap: per release and consecutive stages, first `region.patched` of stage k+1 − last `region.verified` of stage k (`release_events.created_at`, i.e. the committing transaction's start).",
    '- RSS: VmRSS every 250 ms during the engine run. CPU: /proc user+system seconds; `bench` is this process (simulator, poller; floor worker in the floor run), `postgres` all Postgres processes.',
    '',
    '## Parameters',
    '',
    '| parameter | value |',
    '| --- | --- |',
    ...Object.entries(r.params).map(([k, v]) => row(k, String(v))),
    '',
    '## Machine',
    '',
    '| fact | value |',
    '| --- | --- |',
    ...Object.entries(r.machine).map(([k, v]) => row(k, String(v))),
    '',
    '## Log warnings (API and workers)',
    '',
    '```',
    JSON.stringify(r.logProblems, null, 2),
    '```',
    '',
  ];
  writeFileSync(file, md.join('\n'));
  return file;
}
