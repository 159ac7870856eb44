/** JSON Schemas (OpenAPI 3.1 = JSON Schema 2020-12) of the API's answers, for /docs. */
import { RELEASE_STATES, TARGET_STATES } from '#domain';
import { REGION_OPERATION_STATES } from '#persistence';
import { PLAN_SCHEMAS } from './openapi-plans.js';

export type Schema = Record<string, unknown>;
export const str = { type: 'string' };
export const nullable = (s: Schema): Schema => ({ anyOf: [s, { type: 'null' }] });
export const time = nullable({ type: 'string', format: 'date-time' });
export const num = nullable({ type: 'number' });
export const obj = (properties: Record<string, Schema>, required: string[] = Object.keys(properties)): Schema => ({
  type: 'object',
  properties,
  required,
});
export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

const release = obj({
  id: { type: 'string', format: 'uuid' },
  service: str,
  version: str,
  image: str,
  releaseNumber: { type: 'integer' },
  gitSha: nullable(str),
  requestedBy: nullable(str),
  state: { type: 'string', enum: [...RELEASE_STATES] },
  stateReason: nullable(str),
  pausedAt: time,
  currentStage: nullable(str),
  approvedStage: nullable(str),
  createdAt: time,
  startedAt: time,
  endedAt: time,
  updatedAt: time,
});

const target = obj(
  {
    region: str,
    stageIndex: { type: 'integer' },
    state: { type: 'string', enum: [...TARGET_STATES] },
    reason: nullable(str),
    bakeEndsAt: time,
    verifiedAt: time,
    blockedReason: nullable(str),
    drain: nullable({ type: 'object', description: 'the drain of this region by the release (failure policy drain), with drainMs' }),
    gates: { type: 'object', additionalProperties: true },
  },
  ['region', 'stageIndex', 'state'],
);

const operation = obj({
  id: { type: 'string', format: 'uuid' },
  region: str,
  kind: { type: 'string', enum: ['drain', 'restore'] },
  state: { type: 'string', enum: [...REGION_OPERATION_STATES] },
  actor: str,
  reason: nullable(str),
  requestedAt: time,
  startedAt: time,
  completedAt: time,
  previousWeight: num,
  targetWeight: { type: 'number' },
  preDrainRate: { ...num, description: "the region's request rate (req/s) just before the drain" },
  lastRate: num,
  drainMs: { ...num, description: 'drain: from the weight change until the rate fell below the drained fraction' },
  drain99Ms: { ...num, description: 'drain: from the weight change until 99% of the traffic had gone' },
  restoreMs: { ...num, description: 'restore: from the weight change until the rate was back above half of the pre-drain rate' },
  note: nullable(str),
});

/** The release a 409 on create names. */
function releaseRef(): Schema {
  return obj({ id: str, releaseNumber: { type: 'integer' }, version: str, image: str, state: str }, ['id', 'releaseNumber']);
}

export const SCHEMAS: Record<string, Schema> = {
  Problem: {
    type: 'object',
    description: 'RFC 9457 problem details (application/problem+json)',
    properties: {
      type: str,
      title: str,
      status: { type: 'integer' },
      detail: str,
      errors: {
        type: 'array',
        description: '400: one entry per bad field; 409 on create: one entry per field at odds with the existing or newer release',
        items: obj({ field: str, message: str }),
      },
      state: { ...str, description: '409: the state that refused the request' },
      existingRelease: {
        ...releaseRef(),
        description: '409 on create: the release the Idempotency-Key or (service, releaseNumber) already names',
      },
      newerRelease: { ...releaseRef(), description: '409 on create: the newer release of the service that went, or will go, live' },
    },
    required: ['type', 'title', 'status', 'detail'],
  },
  Release: release,
  ReleaseDetail: {
    allOf: [
      ref('Release'),
      obj({
        plan: { type: 'object' },
        stages: {
          type: 'array',
          items: obj(
            {
              index: { type: 'integer' },
              name: str,
              kind: str,
              approval: str,
              onFailure: str,
              regions: { type: 'array', items: ref('RegionTarget') },
            },
            ['index', 'name', 'regions'],
          ),
        },
      }),
    ],
  },
  RegionTarget: target,
  ReleasePage: obj({
    items: { type: 'array', items: ref('Release') },
    total: { type: 'integer' },
    limit: { type: 'integer' },
    offset: { type: 'integer' },
  }),
  Event: obj({
    id: str,
    type: str,
    region: nullable(str),
    fromState: nullable(str),
    toState: nullable(str),
    actor: str,
    reason: nullable(str),
    data: nullable({ type: 'object' }),
    at: time,
  }),
  Events: obj({ items: { type: 'array', items: ref('Event') } }),
  NotificationPage: obj({
    items: {
      type: 'array',
      items: obj({
        id: str,
        releaseId: str,
        eventId: str,
        eventType: str,
        destination: str,
        status: { type: 'string', enum: ['pending', 'sending', 'sent', 'dead'] },
        attempts: { type: 'integer' },
        lastError: nullable(str),
      }),
    },
    total: { type: 'integer' },
    limit: { type: 'integer' },
    offset: { type: 'integer' },
  }),
  Gates: obj({
    gates: { type: 'array', items: { type: 'object' } },
    evaluations: { type: 'array', items: { type: 'object' } },
    nextAfter: nullable(str),
  }),
  ActionResult: obj({ release: ref('Release'), message: { ...str, description: 'what happened' } }),
  RegionOperation: operation,
  RegionOperationAccepted: obj({ operation: ref('RegionOperation'), message: str }),
  Regions: obj({
    items: {
      type: 'array',
      items: obj({
        name: str,
        timeZone: str,
        tier: str,
        tags: { type: 'array', items: str },
        traffic: obj({
          provider: str,
          weight: {
            ...num,
            description: 'current weight 0..100; for gateway-api the backendRef weight, unset = 1 (null: provider none or no answer)',
          },
          error: nullable(str),
        }),
        services: {
          type: 'array',
          items: obj({
            service: str,
            version: { ...nullable(str), description: 'the version every workload runs there; "mixed" when they differ' },
            workloads: { type: 'array', items: { type: 'object' } },
          }),
        },
        lastOperation: nullable(ref('RegionOperation')),
      }),
    },
  }),
  AuditPage: obj({
    items: {
      type: 'array',
      items: obj({
        id: str,
        at: time,
        actor: str,
        type: str,
        releaseId: nullable(str),
        service: nullable(str),
        region: nullable(str),
        reason: nullable(str),
        fromState: nullable(str),
        toState: nullable(str),
        data: nullable({ type: 'object' }),
      }),
    },
    total: { type: 'integer' },
    limit: { type: 'integer' },
    offset: { type: 'integer' },
  }),
  Health: obj({ status: str }, ['status']),
  Whoami: obj({ name: { ...str, description: "the token's name (the actor of its actions)" }, scopes: { type: 'array', items: str } }),
  StreamChange: {
    ...obj({
      event: { type: 'object', description: 'the event, as in GET /v1/releases/{id}/events' },
      release: ref('Release'),
      target: nullable(target),
    }),
    description:
      'text/event-stream. `event: ready` (data: {cursor}) once subscribed; then `event: change` per release event, in commit order, with `id: <tx>-<id>` and data {event, release, target: the changed region row or null}; `event: reset` when a resume is too far behind (reload). A `: ping` comment every 15 s.',
  },
  Readiness: obj({ status: str, checks: { type: 'object', additionalProperties: str } }),
  ...PLAN_SCHEMAS,
};
