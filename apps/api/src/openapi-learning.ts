/** OpenAPI description of the learning endpoints (issue 12): routes and answer schemas, appended to the document. */
import { DRILL_STATES } from '#persistence';
import { DrillBody, DrillId, ListDrillsQuery, ProposePlanBody, ServiceName, TimeToSmokeQuery } from './learning-dto.js';
import type { RouteDoc } from './openapi.js';
import { nullable, num, obj, ref, str, time, type Schema } from './openapi-schemas.js';

const int = { type: 'integer' };
const arr = (items: Schema): Schema => ({ type: 'array', items });

const recommendation = obj({
  rule: { type: 'string', enum: ['twice-mean', 'p95'] },
  bakeMs: int,
  source: { type: 'string', enum: ['history', 'default'], description: 'default: too few failures in history (reason says so)' },
  reason: str,
});
const smokeGroup: Record<string, Schema> = {
  failures: int,
  meanMs: num,
  p50Ms: num,
  p90Ms: num,
  p95Ms: num,
  maxMs: num,
  recommendations: obj({ twiceMean: recommendation, p95: recommendation }),
  evidence: arr(
    obj({
      releaseId: str,
      version: str,
      region: str,
      gate: str,
      phase: { type: 'string', enum: ['bake', 'watch'] },
      rolloutCompletedAt: time,
      firstFailureAt: time,
      delayMs: int,
    }),
  ),
};
const placement = obj({ region: str, reason: str });
const drill = obj({
  id: { type: 'string', format: 'uuid' },
  kind: { type: 'string', enum: ['drain', 'rollback'] },
  region: str,
  service: nullable(str),
  state: { type: 'string', enum: [...DRILL_STATES] },
  phase: str,
  actor: str,
  reason: str,
  goalMs: int,
  maxDurationMs: int,
  requestedAt: time,
  completedAt: time,
  deadlineAt: time,
  firstMs: { ...num, description: 'drain: time to 99% drained; rollback: time to roll back' },
  secondMs: { ...num, description: 'drain: time to restore; rollback: time to roll forward' },
  metGoal: nullable({ type: 'boolean' }),
  undone: { type: 'boolean', description: 'cut short at its maximum duration and undone' },
  targetVersion: nullable(str),
  drainOperationId: nullable(str),
  restoreOperationId: nullable(str),
  note: nullable(str),
});

export const LEARNING_SCHEMAS: Record<string, Schema> = {
  TimeToSmoke: obj({
    service: str,
    since: time,
    minFailures: int,
    defaultBakeMs: int,
    overall: obj(smokeGroup),
    regions: arr(obj({ region: str, ...smokeGroup })),
  }),
  PlanProposal: obj({
    service: str,
    plan: obj({ canary: placement, waves: arr(obj({ name: str, maxParallel: int, reason: str, regions: arr(placement) })) }),
    traffic: arr(obj({ region: str, tier: str, tags: arr(str), timeZone: str, requestRate: num })),
    yaml: { ...str, description: 'the plan as a file for config/plans/, each reason as a comment' },
    path: str,
  }),
  Drill: drill,
  DrillAccepted: obj({ drill: ref('Drill'), message: str }),
  DrillDetail: {
    allOf: [
      ref('Drill'),
      obj({ events: arr(obj({ id: str, type: str, actor: str, reason: nullable(str), data: nullable({ type: 'object' }), at: time })) }),
    ],
  },
  Drills: obj({
    items: arr(ref('Drill')),
    trend: arr(
      obj({
        region: str,
        kind: str,
        runs: int,
        metGoal: int,
        goalMs: int,
        latestMs: num,
        bestMs: num,
        direction: nullable({ type: 'string', enum: ['faster', 'slower', 'same'] }),
        series: arr(obj({ id: str, at: time, firstMs: num, secondMs: num, metGoal: nullable({ type: 'boolean' }), state: str })),
      }),
    ),
  }),
};

export const LEARNING_ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/v1/services/{service}/time-to-smoke',
    tag: 'learning',
    summary:
      "Time-to-smoke: how long after a region's rollout completed its first failing gate came, per region and overall, and the bake it recommends",
    description:
      "From the releases of the last `days` days: failures (a region whose gate failed during its bake, or after it was verified: a slow smoke), mean, p50, p90, p95, max, the bake by the seed's rule (2 × mean) and by p95, and the evidence (release, region, gate, times). Fewer than minFailures failures: the configured default bake, saying why.",
    scopes: ['read'],
    params: { service: ServiceName },
    query: TimeToSmokeQuery,
    ok: { status: 200, description: 'the statistics', schema: 'TimeToSmoke' },
    errors: [400, 404],
  },
  {
    method: 'post',
    path: '/v1/plans/propose',
    tag: 'learning',
    summary: 'Propose a plan from region traits and measured traffic (a dry run: nothing is written)',
    description:
      "Canary; a low-traffic canary-like region; a high-traffic canary-like region; one region for each trait not yet covered (tags, tier, time-zone area); then the rest in parallel waves of growing size. Traffic is each region's request rate from its Prometheus (traffic.rateQuery) when measured, else its tier. Every placement carries its reason; `yaml` is ready to save under config/plans/.",
    scopes: ['read'],
    body: ProposePlanBody,
    ok: { status: 200, description: 'the proposal', schema: 'PlanProposal' },
    errors: [400],
  },
  {
    method: 'post',
    path: '/v1/drills',
    tag: 'learning',
    summary: 'Practise a drain or a rollback of a region, timed against a goal',
    description:
      'drain: drains the region through its traffic provider, keeps the time to 99% drained, restores it and keeps that time. rollback (service required): rolls the service in the region back to what ran before its last release and forward again, timing both. Runs as a job (follow Location); always undone, at the latest after maxDuration (default 30m, at most 2h), whichever process dies. 409 while a release of the service (without service: any release in the region) is active, while the region is drained or being drained or restored, or another drill runs there.',
    scopes: ['releases:operate'],
    body: DrillBody,
    ok: { status: 202, description: 'accepted: the drill (Location: its URL)', schema: 'DrillAccepted' },
    errors: [400, 409, 503],
  },
  {
    method: 'get',
    path: '/v1/drills',
    tag: 'learning',
    summary: 'Drills, newest first, and per region and kind the trend of their times against the goal',
    scopes: ['read'],
    query: ListDrillsQuery,
    ok: { status: 200, description: 'drills and trends', schema: 'Drills' },
    errors: [400],
  },
  {
    method: 'get',
    path: '/v1/drills/{id}',
    tag: 'learning',
    summary: 'A drill with its measurements and events',
    scopes: ['read'],
    params: { id: DrillId },
    ok: { status: 200, description: 'the drill', schema: 'DrillDetail' },
    errors: [400, 404],
  },
];
