/** OpenAPI description of the plan dry run (route and answer schema), spread into ROUTES and SCHEMAS. */
import type { RouteDoc } from './openapi.js';
import { DryRunBody } from './plan-dto.js';

type Schema = Record<string, unknown>;
const str = { type: 'string' };
const nullable = (s: Schema): Schema => ({ anyOf: [s, { type: 'null' }] });
const int = { type: 'integer' };
const obj = (properties: Record<string, Schema>): Schema => ({ type: 'object', properties, required: Object.keys(properties) });

export const PLAN_ROUTES: RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/plans/dry-run',
    tag: 'plans',
    summary: 'Dry run: what a release of the service would do right now (nothing is written)',
    description:
      "Stages and regions in order with maxParallel, bake, approval and failure policy; each gate with its query resolved for each region and its worst case from a breach to the failure action (interval × failureLimit + timeout); today's blockers (firing alerts through the pre-flight check, closed deployment windows and when they open); an estimated duration: bakes plus the median deploy time of the service's past deploys in Postgres (else a stated default). Needs only the read scope.",
    scopes: ['read'],
    body: DryRunBody,
    ok: { status: 200, description: 'the plan as it would run now', schema: 'PlanDryRun' },
    errors: [400],
  },
];

const gate = obj({
  name: str,
  condition: str,
  interval: str,
  window: str,
  failureLimit: int,
  inconclusive: str,
  worstCaseBreachToActionMs: int,
  worstCaseBreachToAction: str,
  queries: { type: 'array', items: obj({ region: str, query: str, baselineQuery: nullable(str), evidenceQuery: nullable(str) }) },
});

export const PLAN_SCHEMAS: Record<string, Schema> = {
  PlanDryRun: obj({
    service: str,
    plan: str,
    version: nullable(str),
    previousVersion: nullable(str),
    image: nullable(str),
    at: { type: 'string', format: 'date-time' },
    stages: {
      type: 'array',
      items: obj({
        index: int,
        name: str,
        kind: { type: 'string', enum: ['canary', 'wave'] },
        regions: { type: 'array', items: str },
        maxParallel: int,
        bakeMs: int,
        progressDeadlineMs: int,
        approval: { type: 'string', enum: ['none', 'required'] },
        onFailure: str,
        gates: { type: 'array', items: gate },
      }),
    },
    blockers: {
      type: 'array',
      items: obj({
        region: str,
        stage: str,
        kind: { type: 'string', enum: ['window', 'alert', 'unchecked'] },
        reason: str,
        opensAt: nullable({ type: 'string', format: 'date-time' }),
      }),
    },
    estimate: obj({
      totalMs: int,
      bakeMs: int,
      deployMs: int,
      deployPerRegionMs: int,
      deploySamples: int,
      deploySource: str,
      approvals: int,
    }),
    queuedBehind: nullable(str),
  }),
};
