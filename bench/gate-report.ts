/** The gate-reaction benchmark's output: a human summary on stdout, one JSON line, and bench/results/gate-reaction-<date>.md. */
import { writeFileSync } from 'node:fs';
import type { DelayProbe, UpdateProbe } from './gate-probes.js';
import { percentile, resultFile } from './support.js';

/** Times in ms relative to the fault injection (null when it could not be determined). */
export interface RunTimeline {
  /** first scraped sample of the failing region's 500 counter that is > 0 (Prometheus sample timestamp) */
  firstErrorSample: number | null;
  /** first instant (50 ms steps) at which the failing evaluation's query breaches the threshold */
  breachVisible: number | null;
  /** `evaluatedAt` of the first `fail` evaluation */
  firstFail: number;
  /** `at` of the gate.failed event (start of the transaction that committed it) */
  gateFailedEvent: number | null;
  /** `at` of release.rolling_back */
  rollingBackEvent: number | null;
  /** simulator patch log: first / last restore patch over the touched regions */
  firstPatch: number;
  lastPatch: number;
  /** first region.restore_patched event */
  restorePatchedEvent: number | null;
  /** release.rolled_back event */
  rolledBack: number | null;
}

export interface RunResult {
  run: number;
  version: string;
  releaseId: string;
  faultRegions: string;
  /** touched (baking or verified) regions when the fault was injected */
  touchedAtFault: number;
  /** regions patched with the new version in this run */
  touched: number;
  /** gates whose last verdict was pass just before the fault / gates listed */
  passingAtFault: number;
  gatesWatched: number;
  /** GET /v1/releases/{id}/gates → max gates[].worstCaseBreachToActionMs */
  worstCaseMs: number;
  firstFailRegion: string;
  firstFailObserved: number;
  firstFailQueryMs: number;
  failingEvaluations: number;
  /** evaluations of other gates in a round that ran after gate.failed was committed and before release.rolling_back */
  extraEvaluations: number;
  /** evaluations in the gate round of the failing evaluation (committed with gate.failed) */
  roundSize: number;
  /** ms between consecutive evaluations of one region's gate, over the release's life */
  periodsMs: number[];
  /** ms from when an evaluation was due (previous evaluatedAt + interval) to its query's start */
  dueLagMs: number[];
  /** release.tick_seq: ticks scheduled over the release's life, and per second of its life */
  ticks: number;
  ticksPerSecond: number;
  /** stored evaluations per second of the release's life */
  evaluationsPerSecond: number;
  ms: RunTimeline;
  /** per touched region: restore patch `at` − first failing evaluation's `evaluatedAt` */
  failToPatchMs: Array<{ region: string; ms: number }>;
}

export interface Stat {
  n: number;
  p50: number;
  p99: number;
  max: number;
  min: number;
}

export interface GateSummary {
  /** (a) over all (run × region) pairs */
  failToPatchPairs: Stat;
  /** (a) per run: max over regions */
  failToPatchRunMax: Stat;
  /** (b) fault → first restore patch */
  faultToFirstPatch: Stat;
  /** fault → restore patch in every touched region (last) */
  faultToLastPatch: Stat;
  /** breach visible in Prometheus → release.rolling_back (the start of the failure action: what the configured worst case bounds) */
  breachToAction: Stat;
  breachToFirstPatch: Stat;
  phases: Array<{ phase: string; stat: Stat }>;
  worstCaseMs: number[];
  touchedMin: number;
  extraEvaluationsMax: number;
  extraEvaluationsRuns: number;
  ticksPerSecond: Stat;
  evaluationsPerSecond: Stat;
  roundSize: Stat;
  /** ms between consecutive evaluations of one region's gate (configured interval 1 s) */
  periodMs: Stat;
  /** due → query start */
  dueLagMs: Stat;
  /** the failing evaluation's query time */
  queryMs: Stat;
}

function stat(values: Array<number | null>): Stat {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  return {
    n: v.length,
    p50: percentile(v, 50),
    p99: percentile(v, 99),
    max: v.length ? Math.max(...v) : NaN,
    min: v.length ? Math.min(...v) : NaN,
  };
}

const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : b - a);

export function summarize(runs: RunResult[]): GateSummary {
  const m = runs.map((r) => r.ms);
  return {
    failToPatchPairs: stat(runs.flatMap((r) => r.failToPatchMs.map((x) => x.ms))),
    failToPatchRunMax: stat(runs.map((r) => Math.max(...r.failToPatchMs.map((x) => x.ms)))),
    faultToFirstPatch: stat(m.map((x) => x.firstPatch)),
    faultToLastPatch: stat(m.map((x) => x.lastPatch)),
    breachToAction: stat(m.map((x) => diff(x.breachVisible, x.rollingBackEvent))),
    breachToFirstPatch: stat(m.map((x) => diff(x.breachVisible, x.firstPatch))),
    phases: [
      { phase: 'fault → first scraped sample with errors (scrape interval)', stat: stat(m.map((x) => x.firstErrorSample)) },
      {
        phase: 'first error sample → gate query over threshold (rate window dilution)',
        stat: stat(m.map((x) => diff(x.firstErrorSample, x.breachVisible))),
      },
      {
        phase: 'query over threshold → first failing evaluation (gate interval + query)',
        stat: stat(m.map((x) => diff(x.breachVisible, x.firstFail))),
      },
      { phase: 'first failing evaluation → gate.failed transaction start', stat: stat(m.map((x) => diff(x.firstFail, x.gateFailedEvent))) },
      { phase: 'gate.failed → release.rolling_back', stat: stat(m.map((x) => diff(x.gateFailedEvent, x.rollingBackEvent))) },
      { phase: 'release.rolling_back → first restore patch', stat: stat(m.map((x) => diff(x.rollingBackEvent, x.firstPatch))) },
      { phase: 'first → last restore patch (spread over touched regions)', stat: stat(m.map((x) => x.lastPatch - x.firstPatch)) },
      {
        phase: 'last restore patch → region.restore_patched transaction start',
        stat: stat(m.map((x) => diff(x.lastPatch, x.restorePatchedEvent))),
      },
      { phase: 'last restore patch → release.rolled_back', stat: stat(m.map((x) => diff(x.lastPatch, x.rolledBack))) },
    ],
    worstCaseMs: [...new Set(runs.map((r) => r.worstCaseMs))],
    touchedMin: Math.min(...runs.map((r) => r.touched)),
    extraEvaluationsMax: Math.max(...runs.map((r) => r.extraEvaluations)),
    extraEvaluationsRuns: runs.filter((r) => r.extraEvaluations > 0).length,
    ticksPerSecond: stat(runs.map((r) => r.ticksPerSecond)),
    evaluationsPerSecond: stat(runs.map((r) => r.evaluationsPerSecond)),
    roundSize: stat(runs.map((r) => r.roundSize)),
    periodMs: stat(runs.flatMap((r) => r.periodsMs)),
    dueLagMs: stat(runs.flatMap((r) => r.dueLagMs)),
    queryMs: stat(runs.map((r) => r.firstFailQueryMs)),
  };
}

export interface GateReport {
  bench: 'gate-reaction';
  at: string;
  machine: Record<string, string | number>;
  params: Record<string, string | number>;
  runs: RunResult[];
  summary: GateSummary;
  wallMs: number;
  cpuSeconds: Record<string, number>;
  logProblems: Record<string, Record<string, number>>;
  /** one transaction updating N region_targets rows: one UPDATE per row (as applyStep does) vs one UPDATE for all; p50 ms */
  updateProbe: UpdateProbe | null;
  /** a bare BullMQ delayed job (what a tick is): how late it starts */
  delayProbe: DelayProbe;
}

const f = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const s3 = (s: Stat) => `p50 ${f(s.p50)} ms, p99 ${f(s.p99)} ms, max ${f(s.max)} ms (n=${s.n})`;

function lines(r: GateReport): string[] {
  const s = r.summary;
  const cpuTotal = Object.values(r.cpuSeconds).reduce((a, b) => a + b, 0);
  return [
    `runs: ${r.runs.length}, touched regions per run ≥ ${s.touchedMin}, wall ${f(r.wallMs / 1000, 1)} s on ${r.machine['nproc']} cores`,
    `(a) first failing evaluation → restore patch, all (run × region) pairs: ${s3(s.failToPatchPairs)}`,
    `    per run, max over regions: ${s3(s.failToPatchRunMax)}`,
    `(b) fault injected → first restore patch: ${s3(s.faultToFirstPatch)}`,
    `    fault injected → restore patch in every touched region: ${s3(s.faultToLastPatch)}`,
    `(c) configured worst case breach → action (gates[].worstCaseBreachToActionMs): ${s.worstCaseMs.map((x) => `${x} ms`).join(', ')}`,
    `    measured breach visible in Prometheus → release.rolling_back: ${s3(s.breachToAction)}`,
    `    measured breach visible in Prometheus → first restore patch: ${s3(s.breachToFirstPatch)}`,
    'where the time goes (per run):',
    ...s.phases.map((p) => `    ${p.phase.padEnd(76)} ${s3(p.stat)}`),
    `an extra gate round between gate.failed and release.rolling_back: in ${s.extraEvaluationsRuns}/${r.runs.length} runs, up to ${s.extraEvaluationsMax} evaluations`,
    `ticks per second of a release's life: p50 ${f(s.ticksPerSecond.p50, 1)}, max ${f(s.ticksPerSecond.max, 1)}; gate evaluations per second: p50 ${f(s.evaluationsPerSecond.p50, 1)}; evaluations in the failing round: p50 ${f(s.roundSize.p50)}, min ${f(s.roundSize.min)}`,
    `time between two evaluations of one region's gate (interval 1s): p50 ${f(s.periodMs.p50)} ms, p99 ${f(s.periodMs.p99)} ms, max ${f(s.periodMs.max)} ms (n=${s.periodMs.n}); due → query start p50 ${f(s.dueLagMs.p50)} ms, p99 ${f(s.dueLagMs.p99)} ms`,
    ...(r.updateProbe
      ? [
          `one transaction updating ${r.updateProbe.rows} region_targets rows: one UPDATE per row p50 ${f(r.updateProbe.sequentialMs, 1)} ms, one UPDATE for all p50 ${f(r.updateProbe.batchedMs, 1)} ms (after the runs, ${r.updateProbe.repeats} repeats)`,
        ]
      : []),
    `bare BullMQ delayed job (${r.delayProbe.delayMs} ms delay, ${r.delayProbe.jobs} jobs one after another, worker concurrency ${r.delayProbe.concurrency}, after the runs): starts p50 ${f(r.delayProbe.lateP50Ms)} ms, p90 ${f(r.delayProbe.lateP90Ms)} ms, max ${f(r.delayProbe.lateMaxMs)} ms late; ${r.delayProbe.over50}/${r.delayProbe.jobs} more than 50 ms late (Redis hz ${r.machine['redisHz']})`,
    `cpu s: ${Object.entries(r.cpuSeconds)
      .map(([n, v]) => `${n} ${f(v, 1)}`)
      .join(', ')}; total ${f(cpuTotal, 1)} ≈ ${f(cpuTotal / (r.wallMs / 1000), 2)} cores busy`,
  ];
}

export function printGateReport(r: GateReport): void {
  console.log('');
  for (const l of lines(r)) console.log(l);
  for (const [proc, p] of Object.entries(r.logProblems))
    if (Object.keys(p).length > 0) console.log(`log warnings ${proc}: ${JSON.stringify(p)}`);
  console.log('');
  console.log(JSON.stringify({ bench: r.bench, at: r.at, machine: r.machine, summary: r.summary, wallMs: r.wallMs }));
}

/** "Where the time goes", from the measured phases (numbers are p50 unless said otherwise). */
export function analysis(r: GateReport): string {
  const s = r.summary;
  const ph = (i: number) => s.phases[i]!.stat;
  const [scrape, dilution, interval, roundWait, failToAction, actionToPatch, spread] = [0, 1, 2, 3, 4, 5, 6].map(ph) as Stat[];
  const detect = stat(r.runs.map((x) => x.ms.firstFail));
  const queryMs = stat(r.runs.map((x) => x.firstFailQueryMs));
  const diluted = r.runs.filter(
    (x) => x.ms.firstErrorSample !== null && x.ms.breachVisible !== null && x.ms.breachVisible - x.ms.firstErrorSample > 500,
  ).length;
  const probe = r.updateProbe;
  const out = [
    '### Where the time goes',
    '',
    `- **Before the engine can see anything** (fault → first failing evaluation: p50 ${f(detect.p50)} ms, max ${f(detect.max)} ms) the time is Prometheus and the gate's own cadence, not the engine:`,
    `  - scrape: the first sample with errors arrives p50 ${f(scrape!.p50)} ms / max ${f(scrape!.max)} ms after the fault (uniform over the 1 s scrape interval);`,
    `  - rate window: the gate divides two \`rate(...[5s])\`; a sample taken less than ~0.2 s after the fault carries too few errors (0.2 × 0.2 s over ~4 s of samples < 0.01), so the breach shows only one scrape later. That happened in ${diluted}/${r.runs.length} runs (max ${f(dilution!.max)} ms); otherwise the first error sample already breaches (p50 ${f(dilution!.p50)} ms);`,
    `  - gate interval: from the breach being visible to the evaluation that sees it, p50 ${f(interval!.p50)} ms / max ${f(interval!.max)} ms (the next evaluation is due up to 1 s later; the failing query itself took p50 ${f(queryMs.p50)} ms).`,
    `- **The engine's part** (first failing evaluation → restore patch in every touched region: p50 ${f(s.failToPatchPairs.p50)} ms per region, per-run max p50 ${f(s.failToPatchRunMax.p50)} ms / max ${f(s.failToPatchRunMax.max)} ms) is a chain of sequential steps, each small:`,
    `  - the failing verdict waits for the rest of its gate round: every due gate (p50 ${f(s.roundSize.p50)}, min ${f(s.roundSize.min)} evaluations in the failing round) is queried in parallel and nothing is committed before the slowest query is back: first failing evaluation → \`gate.failed\` transaction start p50 ${f(roundWait!.p50)} ms / max ${f(roundWait!.max)} ms. Here every region's queries go to one fast local Prometheus; with a slow or unreachable Prometheus in one region, a failure seen in another region would wait for that region's query timeout (gate default 10 s) before anything is committed;`,
    `  - \`gate.failed\` → \`release.rolling_back\`: p50 ${f(failToAction!.p50)} ms / max ${f(failToAction!.max)} ms. The failed gate, its region and the stage's failure policy (roll back every touched region) are one commit: one step statement writes the gate statuses, the target moves, the events and the evaluations, so both events carry that transaction's start${s.extraEvaluationsRuns > 0 ? `. In ${s.extraEvaluationsRuns}/${r.runs.length} runs another gate round had come due by then and was queried and committed first (up to ${s.extraEvaluationsMax} evaluations) before the rollback began` : ''};`,
    `  - \`release.rolling_back\` → first restore PATCH: p50 ${f(actionToPatch!.p50)} ms / max ${f(actionToPatch!.max)} ms: after that commit the worker goes on from what it wrote under the release's lock (no re-read) and sends the restore PATCHes;`,
    `  - the restore PATCHes go out concurrently (one \`Promise.all\`): first → last region p50 ${f(spread!.p50)} ms / max ${f(spread!.max)} ms; they are awaited together, so the spread is per-request client-side work (@kubernetes/client-node) on a loaded 2-core machine, not sequential awaits.`,
    ...(probe
      ? [
          `- One transaction updating ${probe.rows} region_targets rows one UPDATE at a time (as \`ReleaseStore.applyStep\` does for \`change.targets\`) took p50 ${f(probe.sequentialMs, 1)} ms on this machine after the runs, one UPDATE for all rows p50 ${f(probe.batchedMs, 1)} ms (${probe.repeats} repeats each). The engine's step statement writes all of a phase's targets in one UPDATE (the second figure).`,
        ]
      : []),
    `- Gate cadence: due times are kept on each gate's grid of intervals (\`nextDueAfter\`, stored as each evaluation's \`dueAt\`), and an evaluation's query starts p50 ${f(s.dueLagMs.p50)} ms / p99 ${f(s.dueLagMs.p99)} ms after its due time (negative: a round took it early). The tick that runs it is a BullMQ delayed job, and BullMQ waits for a delayed job with a blocking BZPOPMIN whose timeout Redis only notices at its \`hz\` resolution (hz ${r.machine['redisHz']} here: up to ${Number(r.machine['redisHz']) > 0 ? f(1000 / Number(r.machine['redisHz'])) : '?'} ms) unless other traffic wakes it; a bare BullMQ delayed job on this machine (no release running) started p50 ${f(r.delayProbe.lateP50Ms)} ms / p90 ${f(r.delayProbe.lateP90Ms)} ms / max ${f(r.delayProbe.lateMaxMs)} ms late (${r.delayProbe.over50}/${r.delayProbe.jobs} more than 50 ms). A late round does not push the next one back, so the time between two evaluations of a 1 s gate is p50 ${f(s.periodMs.p50)} ms / p99 ${f(s.periodMs.p99)} ms, and the configured worst case (interval × failureLimit + one query timeout) is only exceeded by one round's lateness.`,
    `- **Configured vs measured**: the gates report a worst case of ${s.worstCaseMs.join(', ')} ms from breach to the start of the failure action (interval 1 s × failureLimit 1 + the 10 s default query timeout). Measured from the breach being visible in Prometheus to \`release.rolling_back\`: p50 ${f(s.breachToAction.p50)} ms, max ${f(s.breachToAction.max)} ms — the bound holds with a wide margin because queries answer in tens of ms, not 10 s. The bound does not cover the scrape interval and the rate window before a breach is visible at all; from the fault itself the first restore patch took p50 ${f(s.faultToFirstPatch.p50)} ms / max ${f(s.faultToFirstPatch.max)} ms.`,
  ];
  return out.join('\n');
}

/** Write bench/results/gate-reaction-<date>[<suffix>].md; returns its path. */
export function writeGateMarkdown(r: GateReport, resultsDir: string, suffix: string): string {
  const file = resultFile(resultsDir, 'gate-reaction', r.at, suffix);
  const row = (...cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  const s = r.summary;
  const statRow = (what: string, x: Stat) => row(what, f(x.p50), f(x.p99), f(x.max), x.n);
  const md = [
    `# Gate reaction — ${r.at}`,
    '',
    `Machine: ${r.machine['nproc']} cores (${r.machine['cpu']}), everything on it at once: Postgres, Redis, Prometheus, the API, one worker, and the benchmark process (simulator + poller). The machine was not otherwise idle: the 1-minute load average during the runs was mean ${r.machine['loadavgMean']}, max ${r.machine['loadavgMax']}, while this benchmark's own processes used ${f(Object.values(r.cpuSeconds).reduce((a, b) => a + b, 0) / (r.wallMs / 1000), 2)} cores on average (the rest was other work on the machine, e.g. other test runs).`,
    '',
    '```',
    ...lines(r),
    '```',
    '',
    '## Results',
    '',
    'p99 is nearest-rank: with 25 runs the per-run p99 is the largest run.',
    '',
    '| metric | p50 ms | p99 ms | max ms | n |',
    '| --- | --- | --- | --- | --- |',
    statRow('(a) first failing evaluation → restore patch, per (run × region)', s.failToPatchPairs),
    statRow('(a) first failing evaluation → restore patch, per run max over regions', s.failToPatchRunMax),
    statRow('(b) fault injected → first restore patch (any region)', s.faultToFirstPatch),
    statRow('fault injected → restore patch in every touched region', s.faultToLastPatch),
    statRow('breach visible in Prometheus → release.rolling_back', s.breachToAction),
    statRow('breach visible in Prometheus → first restore patch', s.breachToFirstPatch),
    '',
    `(c) Configured worst case from breach to the start of the failure action (GET /v1/releases/{id}/gates → gates[].worstCaseBreachToActionMs = interval × failureLimit + query timeout): **${s.worstCaseMs.join(', ')} ms**, against a measured breach → release.rolling_back of p50 ${f(s.breachToAction.p50)} ms / max ${f(s.breachToAction.max)} ms.`,
    '',
    '### Phases (per run)',
    '',
    '| phase | p50 ms | p99 ms | max ms | n |',
    '| --- | --- | --- | --- | --- |',
    ...s.phases.map((p) => statRow(p.phase, p.stat)),
    '',
    analysis(r),
    '',
    '## Runs',
    '',
    '| run | version | fault in | touched | gates passing at fault | first fail (region, observed) | fault→first fail | →gate.failed | →rolling_back | →first patch | →last patch | fail→patch max | round size | extra evals | ticks/s |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...r.runs.map((x) =>
      row(
        x.run,
        x.version,
        x.faultRegions,
        x.touched,
        `${x.passingAtFault}/${x.gatesWatched}`,
        `${x.firstFailRegion}, ${f(x.firstFailObserved, 4)}`,
        x.ms.firstFail,
        x.ms.gateFailedEvent ?? 'n/a',
        x.ms.rollingBackEvent ?? 'n/a',
        x.ms.firstPatch,
        x.ms.lastPatch,
        Math.max(...x.failToPatchMs.map((p) => p.ms)),
        x.roundSize,
        x.extraEvaluations,
        f(x.ticksPerSecond, 1),
      ),
    ),
    '',
    'Times in the run table are ms after the fault was injected, except "fail→patch max" (ms after the first failing evaluation).',
    '',
    '## How it is measured',
    '',
    '- T_fault: `Date.now()` in the benchmark process just before `sim.injectVersionFault({ version, regions, errorRate })` (the simulator runs in the same process).',
    "- first failing evaluation: the smallest `evaluatedAt` among `verdict: fail` in GET /v1/releases/{id}/gates (the worker's clock when the query answered, before the commit).",
    "- restore patch: per touched region, the first simulator patch-log entry after the release was created whose `images` are the old image again; its `at` is the simulator's clock when the PATCH arrived.",
    '- events (gate.failed, release.rolling_back, region.restore_patched, release.rolled_back): `at` from GET /v1/releases/{id}/events = `created_at`, i.e. the start of the committing transaction (Postgres clock, same host).',
    '- first error sample: the Prometheus timestamp of the first scraped sample of `sim_http_requests_total{code="500"}` > 0 for the version in the failing region.',
    "- breach visible: the failing evaluation's resolved query run as a range query in 50 ms steps; the first step whose value breaches the threshold.",
    '- CPU: /proc user+system seconds during the runs; `bench` is this process (simulator and poller).',
    '',
    '## Parameters',
    '',
    '| parameter | value |',
    '| --- | --- |',
    ...Object.entries(r.params).map(([k, v]) => row(k, `\`${String(v).replace(/\|/g, '\\|')}\``)),
    '',
    '## Machine',
    '',
    '| fact | value |',
    '| --- | --- |',
    ...Object.entries(r.machine).map(([k, v]) => row(k, String(v))),
    '',
    '## CPU seconds during the runs',
    '',
    '| process | cpu s |',
    '| --- | --- |',
    ...Object.entries(r.cpuSeconds).map(([k, v]) => row(k, f(v, 1))),
    '',
    '## Log warnings (API and worker)',
    '',
    '```',
    JSON.stringify(r.logProblems, null, 2),
    '```',
    '',
  ];
  writeFileSync(file, md.join('\n'));
  return file;
}
